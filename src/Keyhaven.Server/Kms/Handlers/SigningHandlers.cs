using Keyhaven.Kms;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Signing;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>Sign, Verify, GetPublicKey.</summary>
internal static class SigningHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<SignRequest, SignResponse>("Sign", c.SignRequest, c.SignResponse,
            r => KmsAccess.Key("Sign", r.KeyId, context: KmsContext.Values(("kms:SigningAlgorithm", r.SigningAlgorithm), ("kms:MessageType", r.MessageType ?? "RAW")),
                grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var algorithm = WireNames.SigningAlgorithms.Parse(r.SigningAlgorithm);
            var type = WireNames.MessageTypes.ParseOptional(r.MessageType) ?? MessageType.Raw;
            var result = await kms.Signing.SignAsync(caller, r.KeyId, r.Message, type, algorithm, ct);
            CryptoHandlers.DryRun(r.DryRun);
            kms.Usage.Record(caller, result.Key, "Sign");
            return new SignResponse(result.Key.Arn, result.Signature, algorithm.ToWire());
        });
        yield return new KmsOperation<VerifyRequest, VerifyResponse>("Verify", c.VerifyRequest, c.VerifyResponse,
            r => KmsAccess.Key("Verify", r.KeyId, context: KmsContext.Values(("kms:SigningAlgorithm", r.SigningAlgorithm), ("kms:MessageType", r.MessageType ?? "RAW")),
                grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var algorithm = WireNames.SigningAlgorithms.Parse(r.SigningAlgorithm);
            var type = WireNames.MessageTypes.ParseOptional(r.MessageType) ?? MessageType.Raw;
            var key = await kms.Signing.VerifyAsync(caller, r.KeyId, r.Message, type, r.Signature, algorithm, ct);
            CryptoHandlers.DryRun(r.DryRun);
            kms.Usage.Record(caller, key, "Verify");
            return new VerifyResponse(key.Arn, true, algorithm.ToWire());
        });
        yield return new KmsOperation<KeyIdRequest, GetPublicKeyResponse>("GetPublicKey", c.KeyIdRequest, c.GetPublicKeyResponse,
            r => KmsAccess.Key("GetPublicKey", r.KeyId, grantTokens: r.GrantTokens),
            async (caller, r, ct) =>
        {
            CryptoOperations.ValidateGrantTokens(r.GrantTokens);
            var result = await kms.Signing.GetPublicKeyAsync(caller, r.KeyId, ct);
            var key = result.Key;
            return new GetPublicKeyResponse
            {
                KeyId = key.Arn,
                PublicKey = result.PublicKey,
                CustomerMasterKeySpec = key.Spec.ToWire(),
                KeySpec = key.Spec.ToWire(),
                KeyUsage = key.Usage.ToWire(),
                EncryptionAlgorithms = NullIfEmpty(KeySpecRules.EncryptionAlgorithms(key)),
                SigningAlgorithms = NullIfEmpty(KeySpecRules.SigningAlgorithms(key).Select(a => a.ToWire())),
                KeyAgreementAlgorithms = NullIfEmpty(KeySpecRules.KeyAgreementAlgorithms(key).Select(a => a.ToWire())),
            };
        });
    }

    /// <summary>AWS omits algorithm lists that do not apply to a key.</summary>
    public static List<string>? NullIfEmpty(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? null : list;
    }
}
