using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Crypto;

/// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom with symmetric keys. Thread-safe.</summary>
public sealed class CryptoOperations(KeyRepository keys, KeyResolver resolver, KmsEnvironment environment)
{
    public const int MaxPlaintextLength = 4096;
    public const int MaxCiphertextLength = 6144;
    public const int MaxGrantTokens = 10;

    public async ValueTask<CryptoResult> EncryptAsync(KmsCaller caller, string? keyId, byte[]? plaintext, EncryptionContext context,
        string? algorithm, CancellationToken cancellationToken)
    {
        ValidatePlaintext(plaintext);
        EncryptionAlgorithm.EnsureSymmetric(algorithm);
        var key = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
        KeyStateRules.EnsureUsable(key);
        return new CryptoResult(key, SymmetricCipher.Encrypt(key, plaintext!, context, environment.Random), null);
    }

    public async ValueTask<CryptoResult> DecryptAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext context, string? keyId,
        string? algorithm, CancellationToken cancellationToken)
    {
        var (key, plaintext) = await OpenAsync(caller, ciphertextBlob, context, keyId, algorithm, "ciphertextBlob", cancellationToken);
        return new CryptoResult(key, null, plaintext);
    }

    public async ValueTask<CryptoResult> ReEncryptAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext sourceContext, string? sourceKeyId,
        string? sourceAlgorithm, string? destinationKeyId, EncryptionContext destinationContext, string? destinationAlgorithm, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(destinationKeyId))
        {
            KmsErrors.Validation("destinationKeyId", "Member must not be null");
        }

        EncryptionAlgorithm.EnsureSymmetric(destinationAlgorithm);
        var destination = await resolver.ResolveAsync(caller, destinationKeyId, allowAlias: true, cancellationToken);
        var (source, plaintext) = await OpenAsync(caller, ciphertextBlob, sourceContext, sourceKeyId, sourceAlgorithm, "ciphertextBlob", cancellationToken);
        try
        {
            KeyStateRules.EnsureUsable(destination);
            return new CryptoResult(destination, SymmetricCipher.Encrypt(destination, plaintext, destinationContext, environment.Random), null, source);
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

    private async ValueTask<(KmsKey Key, byte[] Plaintext)> OpenAsync(KmsCaller caller, byte[]? ciphertextBlob, EncryptionContext context,
        string? keyId, string? algorithm, string member, CancellationToken cancellationToken)
    {
        ValidateCiphertext(ciphertextBlob, member);
        EncryptionAlgorithm.EnsureSymmetric(algorithm);
        if (!CiphertextBlob.TryParse(ciphertextBlob, out var blob) || blob.Region != caller.Region)
        {
            return InvalidCiphertext();
        }

        // A blob naming a key that does not exist (or never did) is just an invalid ciphertext: stay opaque.
        var named = await keys.FindAsync(blob.Account, blob.Region, blob.KeyId, cancellationToken);
        if (named is null)
        {
            return InvalidCiphertext();
        }

        if (keyId is not null)
        {
            var requested = await resolver.ResolveAsync(caller, keyId, allowAlias: true, cancellationToken);
            if (requested.Id != named.Id || requested.Account != named.Account)
            {
                KmsErrors.Throw(KmsErrorCode.IncorrectKeyException,
                    "The key ID in the request does not identify a KMS key that can perform this operation.");
            }
        }

        KeyStateRules.EnsureUsable(named);
        // Parse again: a ref struct cannot live across the awaits above.
        CiphertextBlob.TryParse(ciphertextBlob, out blob);
        var plaintext = SymmetricCipher.TryDecrypt(named, blob, context);
        return plaintext is null ? InvalidCiphertext() : (named, plaintext);
    }

    private static (KmsKey, byte[]) InvalidCiphertext() =>
        KmsErrors.Throw<(KmsKey, byte[])>(KmsErrorCode.InvalidCiphertextException,
            "The ciphertext is invalid, was made under another key, or the encryption context does not match.");
}
