using System.Text;
using Keyhaven.SigV4.Tests.Fixtures;

namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>Acceptance: what the signer signs, the verifier accepts; the vectors' signed requests verify.</summary>
public sealed partial class SigV4VerifierTests
{
    private static readonly PinnedTimeProvider Clock = new(KmsRequests.SigningTime);

    public static TheoryData<string> Cases() => new(SigV4TestSuite.CaseNames());

    private static async Task<SigV4VerificationResult<string>> Verify(SigV4Request request, DateTimeOffset? now = null, SigV4VerifierOptions? options = null, InMemoryCredentialSource? source = null)
    {
        SigV4Verifier<string> verifier = KmsRequests.Verifier(new PinnedTimeProvider(now ?? KmsRequests.SigningTime), source, options);
        return await verifier.VerifyAsync(request);
    }

    private static void AssertFailure(SigV4VerificationResult<string> result, string code, SigV4FailureReason reason, string? message = null)
    {
        Assert.False(result.IsSuccess);
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(reason, result.Error.Reason);
        Assert.Equal(400, result.Error.HttpStatusCode);
        if (message is not null)
        {
            Assert.Equal(message, result.Error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task VectorHeaderSignedRequest_Verifies(string name)
    {
        SigV4TestCase c = SigV4TestSuite.Load(name);
        SigV4SignedRequest signed = new SigV4Signer(c.Credentials, c.Region, c.Service).Sign(c.ToSigningRequest(), c.Options);
        var request = new SigV4Request(c.Method, c.Path, c.Query, c.Headers.Concat(signed.HeadersToAdd).ToList(), PayloadHash.Compute(Encoding.UTF8.GetBytes(c.Body)));
        var options = new SigV4VerifierOptions(c.Service) { Region = c.Region, NormalizePath = c.Normalize };
        var source = new InMemoryCredentialSource().Add(c.Credentials.AccessKeyId, c.Credentials.SecretAccessKey, "vector");

        SigV4VerificationResult<string> result = await Verify(request, c.Timestamp, options, source);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(c.Credentials.SessionToken, result.Authentication.SessionToken);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task VectorPresignedRequest_Verifies(string name)
    {
        SigV4TestCase c = SigV4TestSuite.Load(name);
        SigV4PresignedRequest presigned = new SigV4Signer(c.Credentials, c.Region, c.Service)
            .Presign(c.ToSigningRequest(), TimeSpan.FromSeconds(c.ExpirationSeconds), c.Options);
        var request = new SigV4Request(c.Method, c.Path, presigned.Query, c.Headers, PayloadHash.Compute(Encoding.UTF8.GetBytes(c.Body)));
        var options = new SigV4VerifierOptions(c.Service) { Region = c.Region, NormalizePath = c.Normalize };
        var source = new InMemoryCredentialSource().Add(c.Credentials.AccessKeyId, c.Credentials.SecretAccessKey, "vector");

        SigV4VerificationResult<string> result = await Verify(request, c.Timestamp, options, source);

        if (c.OmitSessionToken && c.Credentials.SessionToken is not null)
        {
            // Deviation (docs/sigv4.md): a presigned X-Amz-Security-Token left out of the signature is not accepted,
            // because every query parameter except X-Amz-Signature is part of the canonical query.
            Assert.Equal(SigV4FailureReason.SignatureMismatch, result.Error?.Reason);
            return;
        }

        Assert.True(result.IsSuccess, result.ToString());
        Assert.True(result.Authentication.IsPresigned);
    }

    [Fact]
    public async Task SignedKmsPost_VerifiesWithIdentity()
    {
        SigV4VerificationResult<string> result = await Verify(KmsRequests.SignedPost());

        Assert.True(result.TryGetAuthentication(out SigV4Authentication<string> auth), result.ToString());
        Assert.Equal(KmsRequests.AccessKeyId, auth.AccessKeyId);
        Assert.Equal("alice", auth.Principal);
        Assert.Equal(new CredentialScope(new DateOnly(2025, 1, 1), "us-east-1", "kms"), auth.Scope);
        Assert.Equal(KmsRequests.SigningTime, auth.RequestTime);
        Assert.Null(auth.SessionToken);
        Assert.False(auth.IsPresigned);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task SessionToken_IsPassedThrough()
    {
        SigV4Request request = KmsRequests.SignedPost(KmsRequests.Signer(token: "FwoGZXIvYXdzEXAMPLETOKEN"));

        SigV4VerificationResult<string> result = await Verify(request);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("FwoGZXIvYXdzEXAMPLETOKEN", result.Authentication.SessionToken);
    }

    [Fact]
    public async Task AsynchronousCredentialSource_Works()
    {
        var source = new InMemoryCredentialSource { Asynchronous = true }.Add(KmsRequests.AccessKeyId, KmsRequests.Secret, "alice");

        SigV4VerificationResult<string> result = await Verify(KmsRequests.SignedPost(), source: source);

        Assert.True(result.IsSuccess, result.ToString());
    }

    [Fact]
    public async Task DateHeader_IsAcceptedWhenXAmzDateIsAbsent()
    {
        // spec: SigV4 accepts the HTTP Date header when X-Amz-Date is absent; the string to sign uses its basic ISO form.
        // The signer always sends X-Amz-Date, so the signature is computed here from the shared internals.
        var headers = KmsRequests.BaseHeaders();
        headers.Add(new HttpHeader("Date", "Wed, 01 Jan 2025 12:00:00 GMT"));
        const string signedHeaders = "content-type;date;host;x-amz-target";
        PayloadHash payload = PayloadHash.Compute(KmsRequests.Body);
        var canonical = new Keyhaven.SigV4.Canonicalization.ByteWriter(512);
        var sts = new Keyhaven.SigV4.Canonicalization.ByteWriter(256);
        byte[] key = new byte[32];
        byte[] signature = new byte[32];
        Keyhaven.SigV4.Canonicalization.CanonicalRequest.Write(ref canonical, "POST", "/", true, "", false, headers, signedHeaders, payload);
        Keyhaven.SigV4.Signing.SigningAlgorithm.WriteStringToSign(ref sts, "20250101T120000Z", "us-east-1", "kms", canonical.WrittenSpan);
        Keyhaven.SigV4.Signing.SigningAlgorithm.DeriveSigningKey(KmsRequests.Secret, "20250101", "us-east-1", "kms", key);
        Keyhaven.SigV4.Signing.SigningAlgorithm.ComputeSignature(key, sts.WrittenSpan, signature);
        canonical.Dispose();
        sts.Dispose();
        headers.Add(new HttpHeader(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={KmsRequests.AccessKeyId}/20250101/us-east-1/kms/aws4_request, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(signature)}"));

        SigV4VerificationResult<string> result = await Verify(new SigV4Request("POST", "/", "", headers, payload));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(KmsRequests.SigningTime, result.Authentication.RequestTime);
    }

    [Fact]
    public async Task DefaultResult_IsAFailure()
    {
        SigV4VerificationResult<string> result = default;

        Assert.False(result.IsSuccess);
        Assert.NotNull(result.Error);
        Assert.Throws<InvalidOperationException>(() => result.Authentication);
        await Task.CompletedTask;
    }
}
