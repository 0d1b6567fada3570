using System.Text;

namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>Any change to a signed part fails; unsigned headers may change.</summary>
public sealed partial class SigV4VerifierTests
{
    [Fact]
    public async Task TamperedBody_Fails()
    {
        SigV4Request signed = KmsRequests.SignedPost();
        byte[] body = (byte[])KmsRequests.Body.Clone();
        body[10] ^= 1;

        AssertFailure(await Verify(signed with { PayloadHash = PayloadHash.Compute(body) }), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task TamperedSignedHeader_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost().WithHeader("X-Amz-Target", "TrentService.Decrypt");

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task TamperedHost_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost().WithHeader("Host", "kms.eu-west-1.amazonaws.com");

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task TamperedPath_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost() with { RawPath = "/other" };

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task TamperedQuery_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost(query: "a=1") with { RawQuery = "a=2" };

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task AddedQueryParameter_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost() with { RawQuery = "extra=1" };

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task TamperedMethod_Fails()
    {
        SigV4Request request = KmsRequests.SignedPost() with { Method = "PUT" };

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task UnsignedHeader_MayChange()
    {
        SigV4Request request = KmsRequests.SignedPost().WithHeader("User-Agent", "aws-sdk-dotnet/4.0 tampered").WithHeader("X-Forwarded-For", "10.0.0.1");

        SigV4VerificationResult<string> result = await Verify(request);

        Assert.True(result.IsSuccess, result.ToString());
    }

    [Fact]
    public async Task EquivalentPathAndQuerySpellings_Verify()
    {
        // The canonical form sorts the query and normalizes the path, so the server may see another spelling.
        SigV4Request signed = KmsRequests.SignedPost(path: "/a/./b", query: "b=2&a=1");

        SigV4VerificationResult<string> result = await Verify(signed with { RawPath = "/a/b", RawQuery = "a=1&b=2" });

        Assert.True(result.IsSuccess, result.ToString());
    }

    [Fact]
    public async Task UnsignedPayload_IsRejectedByDefault_AndAcceptedWhenAllowed()
    {
        var headers = KmsRequests.BaseHeaders();
        headers.Add(new HttpHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD"));
        SigV4SignedRequest signed = KmsRequests.Signer().Sign(
            new SigV4SigningRequest("POST", "/", "", headers, PayloadHash.Unsigned), new SigV4SigningOptions { SigningTime = KmsRequests.SigningTime });
        headers.AddRange(signed.HeadersToAdd);
        var request = new SigV4Request("POST", "/", "", headers, PayloadHash.Compute(Encoding.UTF8.GetBytes("anything")));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
        Assert.True((await Verify(request, options: new SigV4VerifierOptions("kms") { AllowUnsignedPayload = true })).IsSuccess);
    }
}
