using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Signing;

/// <summary>Sign, Verify and GetPublicKey with asymmetric keys. Thread-safe.</summary>
public sealed class SigningOperations(KeyResolver resolver)
{
    public const int MaxMessageLength = 4096;
    public const int MaxSignatureLength = 6144;

    /// <summary>Length of ML-DSA's message representative μ (FIPS 204 §6.2).</summary>
    public const int ExternalMuLength = 64;

    /// <exception cref="KmsException">
    /// ValidationException for a message of the wrong length for its type; InvalidKeyUsageException when the key does
    /// not sign or the algorithm does not fit it; UnsupportedOperationException for EXTERNAL_MU.
    /// </exception>
    public async ValueTask<SignatureResult> SignAsync(KmsCaller caller, string? keyId, byte[]? message, MessageType type, SigningAlgorithm algorithm,
        CancellationToken cancellationToken)
    {
        ValidateMessage(message);
        var key = await ResolveSigningKeyAsync(caller, keyId, algorithm, type, message!, cancellationToken);
        return new SignatureResult(key, AsymmetricSigner.Sign(key.Spec, key.CurrentVersion.Material, algorithm, type, message));
    }

    /// <summary>Checks a signature; returns the key when it is valid.</summary>
    /// <exception cref="KmsException">KMSInvalidSignatureException when it is not; the errors of <see cref="SignAsync"/> otherwise.</exception>
    public async ValueTask<KmsKey> VerifyAsync(KmsCaller caller, string? keyId, byte[]? message, MessageType type, byte[]? signature,
        SigningAlgorithm algorithm, CancellationToken cancellationToken)
    {
        ValidateMessage(message);
        if (signature is not { Length: >= 1 and <= MaxSignatureLength })
        {
            KmsErrors.Validation("signature", $"Member must have length between 1 and {MaxSignatureLength}");
        }

        var key = await ResolveSigningKeyAsync(caller, keyId, algorithm, type, message!, cancellationToken);
        bool valid;
        try
        {
            valid = AsymmetricSigner.Verify(key.Spec, key.CurrentVersion.Material, algorithm, type, message, signature);
        }
        catch (CryptographicException)
        {
            valid = false; // a malformed signature (bad DER, wrong length) is just an invalid one
        }

        if (!valid)
        {
            KmsErrors.Throw(KmsErrorCode.KMSInvalidSignatureException, "The signature is not valid for this message, key and signing algorithm.");
        }

        return key;
    }

    /// <summary>The public key (DER SubjectPublicKeyInfo) of an asymmetric key.</summary>
    /// <exception cref="KmsException">UnsupportedOperationException for symmetric and HMAC keys.</exception>
    public async ValueTask<PublicKeyResult> GetPublicKeyAsync(KmsCaller caller, string? keyId, CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        if (!KeySpecRules.IsAsymmetric(key.Spec))
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, $"{key.Arn} is not an asymmetric KMS key: it has no public key.");
        }

        KeyStateRules.EnsureUsable(key);
        return new PublicKeyResult(key, KeyPairs.PublicKeyInfo(key.Spec, key.CurrentVersion.Material));
    }

    private static void ValidateMessage(byte[]? message)
    {
        if (message is not { Length: >= 1 and <= MaxMessageLength })
        {
            KmsErrors.Validation("message", $"Member must have length between 1 and {MaxMessageLength}");
        }
    }

    private async ValueTask<KmsKey> ResolveSigningKeyAsync(KmsCaller caller, string? keyId, SigningAlgorithm algorithm, MessageType type, byte[] message,
        CancellationToken cancellationToken)
    {
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        KeySpecRules.EnsureUsage(key, KeyUsage.SignVerify, "signing");
        if (!KeySpecRules.SigningAlgorithms(key).Contains(algorithm))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException, $"The signing algorithm is not compatible with the key spec of {key.Arn}.");
        }

        EnsureMessageFits(algorithm, type, message);
        KeyStateRules.EnsureUsable(key);
        return key;
    }

    // spec: API_Sign.html#KMS-Sign-request-MessageType
    private static void EnsureMessageFits(SigningAlgorithm algorithm, MessageType type, byte[] message)
    {
        switch (algorithm, type)
        {
            case (SigningAlgorithm.Ed25519Sha512, not MessageType.Raw):
                KmsErrors.Throw(KmsErrorCode.ValidationException, "The ED25519_SHA_512 signing algorithm requires MessageType RAW.");
                break;
            case (SigningAlgorithm.Ed25519PhSha512, not MessageType.Digest):
                KmsErrors.Throw(KmsErrorCode.ValidationException, "The ED25519_PH_SHA_512 signing algorithm requires MessageType DIGEST.");
                break;
            case (SigningAlgorithm.MlDsaShake256, MessageType.Digest):
                KmsErrors.Throw(KmsErrorCode.ValidationException, "The ML_DSA_SHAKE_256 signing algorithm takes MessageType RAW or EXTERNAL_MU, not DIGEST.");
                break;
            case (not SigningAlgorithm.MlDsaShake256, MessageType.ExternalMu):
                KmsErrors.Throw(KmsErrorCode.ValidationException, "MessageType EXTERNAL_MU is only for the ML_DSA_SHAKE_256 signing algorithm.");
                break;
            case (SigningAlgorithm.MlDsaShake256, MessageType.ExternalMu):
                if (message.Length != ExternalMuLength)
                {
                    KmsErrors.Throw(KmsErrorCode.ValidationException, $"An EXTERNAL_MU message must be {ExternalMuLength} bytes long.");
                }

                // BouncyCastle 2.7 (our ML-DSA on OpenSSL 3.0) cannot sign a precomputed μ: say so instead of signing something else.
                KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, "MessageType EXTERNAL_MU is not supported by this release of Keyhaven.");
                break;
            case (_, MessageType.Digest):
                var length = AsymmetricSigner.HashOf(algorithm) == HashAlgorithmName.SHA256 ? 32 : AsymmetricSigner.HashOf(algorithm) == HashAlgorithmName.SHA384 ? 48 : 64;
                if (message.Length != length)
                {
                    KmsErrors.Throw(KmsErrorCode.ValidationException, $"Digest is invalid length for the signing algorithm: it must be {length} bytes.");
                }

                break;
        }
    }
}
