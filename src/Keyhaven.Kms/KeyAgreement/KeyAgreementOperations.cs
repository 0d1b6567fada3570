using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.KeyAgreement;

/// <summary>DeriveSharedSecret: ECDH between a KEY_AGREEMENT key and the caller's public key. Thread-safe.</summary>
public sealed class KeyAgreementOperations(KeyResolver resolver)
{
    public const int MaxPublicKeyLength = 8192;

    /// <summary>The raw ECDH shared secret. Secret: the caller writes it to the response and zeroes it.</summary>
    /// <exception cref="KmsException">
    /// InvalidKeyUsageException when the key is not for key agreement; ValidationException when the public key is not a
    /// DER SubjectPublicKeyInfo of a point on the key's curve.
    /// </exception>
    public async ValueTask<SharedSecretResult> DeriveSharedSecretAsync(KmsCaller caller, string? keyId, KeyAgreementAlgorithm algorithm, byte[]? publicKey,
        CancellationToken cancellationToken)
    {
        if (publicKey is not { Length: >= 1 and <= MaxPublicKeyLength })
        {
            KmsErrors.Validation("publicKey", $"Member must have length between 1 and {MaxPublicKeyLength}");
        }

        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        KeySpecRules.EnsureUsage(key, KeyUsage.KeyAgreement, "key agreement");
        if (!KeySpecRules.KeyAgreementAlgorithms(key).Contains(algorithm))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException, $"The key agreement algorithm is not compatible with {key.Arn}.");
        }

        KeyStateRules.EnsureUsable(key);
        var secret = EcdhAgreement.TryDerive(key.Spec, key.CurrentVersion.Material, publicKey)
            ?? KmsErrors.Throw<byte[]>(KmsErrorCode.ValidationException,
                "PublicKey must be a DER-encoded SubjectPublicKeyInfo (RFC 5280) of a point on the curve of the KMS key.");
        return new SharedSecretResult(key, secret);
    }
}
