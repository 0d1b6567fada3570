using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Macs;

/// <summary>GenerateMac and VerifyMac with HMAC keys (RFC 2104). Thread-safe.</summary>
public sealed class MacOperations(KeyResolver resolver)
{
    public const int MaxMessageLength = 4096;
    public const int MaxMacLength = 6144;

    /// <exception cref="KmsException">InvalidKeyUsageException when the key is not an HMAC key or the algorithm does not fit it.</exception>
    public async ValueTask<MacResult> GenerateAsync(KmsCaller caller, string? keyId, byte[]? message, MacAlgorithm algorithm, CancellationToken cancellationToken)
    {
        ValidateMessage(message);
        var key = await ResolveAsync(caller, keyId, algorithm, cancellationToken);
        return new MacResult(key, Compute(algorithm, key.CurrentVersion.Material, message));
    }

    /// <summary>Checks a MAC in constant time; returns the key when it matches.</summary>
    /// <exception cref="KmsException">KMSInvalidMacException when it does not.</exception>
    public async ValueTask<KmsKey> VerifyAsync(KmsCaller caller, string? keyId, byte[]? message, MacAlgorithm algorithm, byte[]? mac,
        CancellationToken cancellationToken)
    {
        ValidateMessage(message);
        if (mac is not { Length: >= 1 and <= MaxMacLength })
        {
            KmsErrors.Validation("mac", $"Member must have length between 1 and {MaxMacLength}");
        }

        var key = await ResolveAsync(caller, keyId, algorithm, cancellationToken);
        var expected = Compute(algorithm, key.CurrentVersion.Material, message);
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(expected, mac))
            {
                KmsErrors.Throw(KmsErrorCode.KMSInvalidMacException, "The MAC is not valid for this message, key and MAC algorithm.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expected);
        }

        return key;
    }

    /// <summary>HMAC of <paramref name="message"/>; SHA-224 through <see cref="BouncyCastleAdapter"/> (.NET has none).</summary>
    internal static byte[] Compute(MacAlgorithm algorithm, byte[] key, ReadOnlySpan<byte> message) => algorithm switch
    {
        MacAlgorithm.HmacSha224 => BouncyCastleAdapter.HmacSha224(key, message),
        MacAlgorithm.HmacSha256 => HMACSHA256.HashData(key, message),
        MacAlgorithm.HmacSha384 => HMACSHA384.HashData(key, message),
        _ => HMACSHA512.HashData(key, message),
    };

    private static void ValidateMessage(byte[]? message)
    {
        if (message is not { Length: >= 1 and <= MaxMessageLength })
        {
            KmsErrors.Validation("message", $"Member must have length between 1 and {MaxMessageLength}");
        }
    }

    private async ValueTask<KmsKey> ResolveAsync(KmsCaller caller, string? keyId, MacAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        KeySpecRules.EnsureUsage(key, KeyUsage.GenerateVerifyMac, "MAC operations");
        if (!KeySpecRules.MacAlgorithms(key).Contains(algorithm))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException, $"The MAC algorithm is not compatible with the key spec of {key.Arn}.");
        }

        KeyStateRules.EnsureUsable(key);
        return key;
    }
}
