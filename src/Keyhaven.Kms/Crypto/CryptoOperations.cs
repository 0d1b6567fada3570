using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// Encrypt, Decrypt and ReEncrypt (symmetric keys, and RSA keys with OAEP), GenerateDataKey(WithoutPlaintext),
/// GenerateDataKeyPair(WithoutPlaintext) and GenerateRandom. Thread-safe.
/// </summary>
public sealed class CryptoOperations(KeyRepository keys, KeyResolver resolver, KmsEnvironment environment)
{
    public const int MaxPlaintextLength = 4096;
    public const int MaxCiphertextLength = 6144;
    public const int MaxGrantTokens = 10;

    public async ValueTask<CryptoResult> EncryptAsync(KmsCaller caller, string? keyId, byte[]? plaintext, EncryptionContext context,
        string? algorithm, CancellationToken cancellationToken)
    {
        ValidatePlaintext(plaintext);
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        var (blob, used) = Seal(key, plaintext!, context, algorithm);
        return new CryptoResult(key, blob, null) { EncryptionAlgorithm = used };
    }

    public async ValueTask<CryptoResult> DecryptAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext context, string? keyId,
        string? algorithm, CancellationToken cancellationToken)
    {
        var (key, plaintext, used) = await OpenAsync(caller, ciphertextBlob, context, keyId, algorithm, cancellationToken);
        return new CryptoResult(key, null, plaintext) { EncryptionAlgorithm = used };
    }

    public async ValueTask<CryptoResult> ReEncryptAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext sourceContext, string? sourceKeyId,
        string? sourceAlgorithm, string? destinationKeyId, EncryptionContext destinationContext, string? destinationAlgorithm, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(destinationKeyId))
        {
            KmsErrors.Validation("destinationKeyId", "Member must not be null");
        }

        var destination = await resolver.ResolveAsync(caller, destinationKeyId, allowAlias: true, cancellationToken);
        var (source, plaintext, sourceUsed) = await OpenAsync(caller, ciphertextBlob, sourceContext, sourceKeyId, sourceAlgorithm, cancellationToken);
        try
        {
            var (blob, used) = Seal(destination, plaintext, destinationContext, destinationAlgorithm);
            return new CryptoResult(destination, blob, null, source) { EncryptionAlgorithm = used, SourceEncryptionAlgorithm = sourceUsed };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>A fresh data key, returned in plaintext (unless <paramref name="withoutPlaintext"/>) and encrypted under the KMS key.</summary>
    public async ValueTask<CryptoResult> GenerateDataKeyAsync(KmsCaller caller, string? keyId, string? keySpec, int? numberOfBytes,
        EncryptionContext context, bool withoutPlaintext, CancellationToken cancellationToken)
    {
        var length = DataKeySpec.ByteCount(keySpec, numberOfBytes);
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        EnsureSymmetricEncryption(key, "GenerateDataKey");
        KeyStateRules.EnsureUsable(key);
        var dataKey = environment.RandomBytes(length);
        var blob = SymmetricCipher.Encrypt(key, dataKey, context, environment.Random);
        if (withoutPlaintext)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return new CryptoResult(key, blob, null);
        }

        return new CryptoResult(key, blob, dataKey);
    }

    /// <summary>
    /// A fresh asymmetric data key pair: the public key (SubjectPublicKeyInfo), the private key (PKCS#8) encrypted
    /// under the symmetric KMS key, and, unless <paramref name="withoutPlaintext"/>, the private key in plaintext.
    /// </summary>
    public async ValueTask<DataKeyPairResult> GenerateDataKeyPairAsync(KmsCaller caller, string? keyId, KeySpec pairSpec, EncryptionContext context,
        bool withoutPlaintext, CancellationToken cancellationToken)
    {
        if (!KeySpecRules.IsAsymmetric(pairSpec) || KeySpecRules.IsMlDsa(pairSpec))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "KeyPairSpec must be an RSA, ECC or ECC_NIST_EDWARDS25519 key pair spec.");
        }

        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        EnsureSymmetricEncryption(key, "GenerateDataKeyPair");
        KeyStateRules.EnsureUsable(key);
        var privateKey = KeyPairs.Generate(pairSpec);
        var publicKey = KeyPairs.PublicKeyInfo(pairSpec, privateKey);
        var blob = SymmetricCipher.Encrypt(key, privateKey, context, environment.Random);
        if (withoutPlaintext)
        {
            CryptographicOperations.ZeroMemory(privateKey);
            return new DataKeyPairResult(key, blob, null, publicKey);
        }

        return new DataKeyPairResult(key, blob, privateKey, publicKey);
    }

    public byte[] GenerateRandom(int? numberOfBytes)
    {
        if (numberOfBytes is not (>= 1 and <= 1024))
        {
            KmsErrors.Validation("numberOfBytes", "Member must have value between 1 and 1024");
        }

        return environment.RandomBytes(numberOfBytes.Value);
    }

    /// <summary>Plaintext is 1–4096 bytes.</summary>
    public static void ValidatePlaintext(byte[]? plaintext)
    {
        if (plaintext is not { Length: >= 1 and <= MaxPlaintextLength })
        {
            KmsErrors.Validation("plaintext", $"Member must have length between 1 and {MaxPlaintextLength}");
        }
    }

    /// <summary>A ciphertext blob is 1–6144 bytes.</summary>
    public static void ValidateCiphertext(byte[]? ciphertextBlob, string member = "ciphertextBlob")
    {
        if (ciphertextBlob is not { Length: >= 1 and <= MaxCiphertextLength })
        {
            KmsErrors.Validation(member, $"Member must have length between 1 and {MaxCiphertextLength}");
        }
    }

    /// <summary>
    /// Checks a GrantTokens member without I/O: at most <see cref="MaxGrantTokens"/>, each a well-formed token
    /// (InvalidGrantTokenException otherwise). Which grants the tokens name is resolved for authorization by
    /// <see cref="Grants.GrantManager.FindApplicableGrantsAsync"/>.
    /// </summary>
    public static void ValidateGrantTokens(IReadOnlyList<string>? grantTokens) => Grants.GrantToken.EnsureWellFormed(grantTokens, MaxGrantTokens);

    /// <summary>
    /// The key Decrypt (or ReEncrypt's source) uses, for authorization and for the operation alike: the key
    /// <paramref name="keyId"/> names when it is asymmetric (an RSA ciphertext does not name its key), otherwise the
    /// key the ciphertext blob names (for a multi-Region key, the related key in the caller's region).
    /// </summary>
    /// <exception cref="KmsException">InvalidCiphertextException when the blob names no existing key; NotFoundException for an unknown <paramref name="keyId"/>.</exception>
    public async ValueTask<KmsKey> ResolveDecryptionKeyAsync(KmsCaller caller, byte[] ciphertextBlob, string? keyId, CancellationToken cancellationToken)
    {
        if (keyId is not null)
        {
            var requested = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
            if (KeySpecRules.IsAsymmetric(requested.Spec))
            {
                return requested;
            }
        }

        // A blob naming a key that does not exist (or never did) is just an invalid ciphertext: stay opaque. A blob of a
        // multi-Region key made in another region opens with the related key of the caller's region (same id, same material).
        if (!CiphertextBlob.TryParse(ciphertextBlob, out var blob) || (blob.Region != caller.Region && !blob.KeyId.IsMultiRegion))
        {
            throw InvalidCiphertext();
        }

        var named = await keys.FindAsync(blob.Account, caller.Region, blob.KeyId, cancellationToken) ?? throw InvalidCiphertext();
        return Import.ImportedMaterial.AsOf(named, environment.Now);
    }

    /// <summary>Refuses keys that are not symmetric encryption keys (InvalidKeyUsageException).</summary>
    private static void EnsureSymmetricEncryption(KmsKey key, string operation)
    {
        if (key.Spec != KeySpec.SymmetricDefault)
        {
            KmsErrors.Throw(KmsErrorCode.InvalidKeyUsageException, $"{operation} needs a symmetric encryption KMS key; {key.Arn} is not one.");
        }
    }

    /// <summary>Encrypts under a symmetric key (SYMMETRIC_DEFAULT) or an RSA ENCRYPT_DECRYPT key (OAEP); returns the blob and the algorithm used.</summary>
    private (byte[] Blob, string Algorithm) Seal(KmsKey key, byte[] plaintext, EncryptionContext context, string? algorithm)
    {
        if (key.Spec == KeySpec.SymmetricDefault)
        {
            EncryptionAlgorithm.EnsureSymmetric(algorithm);
            KeyStateRules.EnsureUsable(key);
            return (SymmetricCipher.Encrypt(key, plaintext, context, environment.Random), EncryptionAlgorithm.SymmetricDefault);
        }

        var rsa = EnsureRsaEncryption(key, algorithm, context);
        var limit = RsaOaepCipher.MaxPlaintextLength(KeyPairs.RsaBits(key.Spec), rsa);
        if (plaintext.Length > limit)
        {
            KmsErrors.Validation("plaintext", $"Member must have length less than or equal to {limit} for {rsa} with {key.Arn}");
        }

        return (RsaOaepCipher.Encrypt(key.CurrentVersion.Material, plaintext, rsa), rsa);
    }

    /// <summary>Checks that an asymmetric key encrypts (RSA, ENCRYPT_DECRYPT, enabled) with an OAEP algorithm and no encryption context.</summary>
    private static string EnsureRsaEncryption(KmsKey key, string? algorithm, EncryptionContext context)
    {
        KeySpecRules.EnsureUsage(key, KeyUsage.EncryptDecrypt, "encryption");
        var rsa = EncryptionAlgorithm.EnsureRsa(algorithm, key);
        KeyStateRules.EnsureUsable(key);
        if (context.Pairs.Count > 0)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, $"An encryption context is supported only with symmetric encryption KMS keys; {key.Arn} is asymmetric.");
        }

        return rsa;
    }

    private async ValueTask<(KmsKey Key, byte[] Plaintext, string Algorithm)> OpenAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext context,
        string? keyId, string? algorithm, CancellationToken cancellationToken)
    {
        ValidateCiphertext(ciphertextBlob);
        var key = await ResolveDecryptionKeyAsync(caller, ciphertextBlob!, keyId, cancellationToken);
        if (KeySpecRules.IsAsymmetric(key.Spec))
        {
            var rsa = EnsureRsaEncryption(key, algorithm, context);
            var decrypted = RsaOaepCipher.TryDecrypt(key.CurrentVersion.Material, ciphertextBlob, rsa);
            return (key, decrypted ?? throw InvalidCiphertext(), rsa);
        }

        EncryptionAlgorithm.EnsureSymmetric(algorithm);
        if (keyId is not null)
        {
            var requested = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
            if (requested.Id != key.Id || requested.Account != key.Account)
            {
                KmsErrors.Throw(KmsErrorCode.IncorrectKeyException,
                    "The key ID in the request does not identify a KMS key that can perform this operation.");
            }
        }

        KeyStateRules.EnsureUsable(key);
        CiphertextBlob.TryParse(ciphertextBlob, out var blob);
        var plaintext = SymmetricCipher.TryDecrypt(key, blob, context);
        return (key, plaintext ?? throw InvalidCiphertext(), EncryptionAlgorithm.SymmetricDefault);
    }

    private static KmsException InvalidCiphertext() =>
        new(KmsErrorCode.InvalidCiphertextException, "The ciphertext is invalid, was made under another key, or the encryption context does not match.");
}
