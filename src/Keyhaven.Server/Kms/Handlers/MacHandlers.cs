using System.Security.Cryptography;
using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>GenerateMac, VerifyMac.</summary>
internal static class MacHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<GenerateMacRequest, GenerateMacResponse>("GenerateMac", c.GenerateMacRequest, c.GenerateMacResponse,
            r => KmsAccess.Key("GenerateMac", r.KeyId, context: KmsContext.Values(("kms:MacAlgorithm", r.MacAlgorithm)), grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var algorithm = WireNames.MacAlgorithms.Parse(r.MacAlgorithm);
            var result = await kms.Macs.GenerateAsync(caller, r.KeyId, r.Message, algorithm, ct);
            if (r.DryRun == true)
            {
                CryptographicOperations.ZeroMemory(result.Mac);
                CryptoHandlers.DryRun(r.DryRun);
            }

            kms.Usage.Record(caller, result.Key, "GenerateMac");
            return new GenerateMacResponse(result.Mac, algorithm.ToWire(), result.Key.Arn);
        });
        yield return new KmsOperation<VerifyMacRequest, VerifyMacResponse>("VerifyMac", c.VerifyMacRequest, c.VerifyMacResponse,
            r => KmsAccess.Key("VerifyMac", r.KeyId, context: KmsContext.Values(("kms:MacAlgorithm", r.MacAlgorithm)), grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var algorithm = WireNames.MacAlgorithms.Parse(r.MacAlgorithm);
            var key = await kms.Macs.VerifyAsync(caller, r.KeyId, r.Message, algorithm, r.Mac, ct);
            CryptoHandlers.DryRun(r.DryRun);
            kms.Usage.Record(caller, key, "VerifyMac");
            return new VerifyMacResponse(key.Arn, true, algorithm.ToWire());
        });
    }
}
