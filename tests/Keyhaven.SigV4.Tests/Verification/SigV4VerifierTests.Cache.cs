namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>Signing-key cache: reused, bounded, and never serves a key derived from a rotated secret.</summary>
public sealed partial class SigV4VerifierTests
{
    [Fact]
    public async Task SigningKey_IsCachedPerScope()
    {
        SigV4Verifier<string> verifier = KmsRequests.Verifier(new PinnedTimeProvider(T));

        Assert.True((await verifier.VerifyAsync(KmsRequests.SignedPost())).IsSuccess);
        Assert.True((await verifier.VerifyAsync(KmsRequests.SignedPost(time: T.AddSeconds(10)))).IsSuccess);

        Assert.Equal(1, verifier.CachedSigningKeyCount);
    }

    [Fact]
    public async Task RotatedSecret_InvalidatesCachedKey()
    {
        var source = new InMemoryCredentialSource().Add(KmsRequests.AccessKeyId, KmsRequests.Secret, "alice");
        SigV4Verifier<string> verifier = KmsRequests.Verifier(new PinnedTimeProvider(T), source);
        SigV4Request oldSigned = KmsRequests.SignedPost();
        Assert.True((await verifier.VerifyAsync(oldSigned)).IsSuccess);

        source.Add(KmsRequests.AccessKeyId, "rotated-secret-value", "alice");

        Assert.Equal(SigV4FailureReason.SignatureMismatch, (await verifier.VerifyAsync(oldSigned)).Error?.Reason);
        Assert.True((await verifier.VerifyAsync(KmsRequests.SignedPost(KmsRequests.Signer(secret: "rotated-secret-value")))).IsSuccess);
    }

    [Fact]
    public async Task Cache_IsBounded()
    {
        var source = new InMemoryCredentialSource();
        for (int i = 0; i < 10; i++)
        {
            source.Add($"AKID{i}", KmsRequests.Secret, $"user{i}");
        }

        SigV4Verifier<string> verifier = KmsRequests.Verifier(new PinnedTimeProvider(T), source, new SigV4VerifierOptions("kms") { SigningKeyCacheCapacity = 4 });
        for (int i = 0; i < 10; i++)
        {
            var signer = new SigV4Signer(new SigV4Credentials($"AKID{i}", KmsRequests.Secret), "us-east-1", "kms");
            Assert.True((await verifier.VerifyAsync(KmsRequests.SignedPost(signer))).IsSuccess);
            Assert.True(verifier.CachedSigningKeyCount <= 4);
        }
    }

    [Fact]
    public async Task ConcurrentVerification_IsConsistent()
    {
        SigV4Verifier<string> verifier = KmsRequests.Verifier(new PinnedTimeProvider(T));
        SigV4Request good = KmsRequests.SignedPost();
        SigV4Request bad = KmsRequests.SignedPost(KmsRequests.Signer(secret: "wrong"));

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            (await verifier.VerifyAsync(i % 2 == 0 ? good : bad)).IsSuccess == (i % 2 == 0))));

        Assert.All(results, Assert.True);
    }
}
