using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Tests.Crypto;

/// <summary>Copies of signing keys (what a cached entry hands to each message): the same key, and independent of the original's lifetime.</summary>
public sealed class SignatureKeysTests
{
    [Fact]
    public void A_private_copy_signs_as_the_original_and_outlives_it()
    {
        var original = SignatureKeys.Generate(AlgorithmSuite.AesGcm256HkdfSha512CommitEcdsaP384);
        using var copy = SignatureKeys.Copy(original, includePrivate: true);
        var publicKey = original.ExportParameters(includePrivateParameters: false);
        original.Dispose();

        var hash = SHA384.HashData("message"u8);
        var signature = copy.SignHash(hash);
        using var verifier = ECDsa.Create(publicKey);
        Assert.True(verifier.VerifyHash(hash, signature));
        Assert.Equal(publicKey.Q.X, copy.ExportParameters(includePrivateParameters: false).Q.X);
    }

    [Fact]
    public void A_public_copy_has_no_private_key()
    {
        using var original = SignatureKeys.Generate(AlgorithmSuite.AesGcm256HkdfSha512CommitEcdsaP384);
        using var copy = SignatureKeys.Copy(original, includePrivate: false);
        Assert.ThrowsAny<CryptographicException>(() => copy.ExportParameters(includePrivateParameters: true));
        Assert.ThrowsAny<CryptographicException>(() => copy.SignHash(new byte[48]));
    }
}
