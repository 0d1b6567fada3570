namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>Each failure kind maps to the AWS error code, message and status.</summary>
public sealed partial class SigV4VerifierTests
{
    private const string Mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    [Fact]
    public async Task NoAuthentication_IsMissingAuthenticationToken()
    {
        SigV4Request request = KmsRequests.SignedPost().WithoutHeader("Authorization");

        AssertFailure(await Verify(request), "MissingAuthenticationTokenException", SigV4FailureReason.MissingAuthentication, "Missing Authentication Token");
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDKEYHAVEN0001/20250101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date", SigV4FailureReason.MalformedAuthorization)]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00", SigV4FailureReason.MalformedAuthorization)]
    [InlineData("AWS4-HMAC-SHA256 Credential AKIDKEYHAVEN0001/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00", SigV4FailureReason.MalformedAuthorization)]
    [InlineData("AWS4-HMAC-SHA256 Credential=a/b, Credential=a/b, SignedHeaders=host, Signature=00", SigV4FailureReason.MalformedAuthorization)]
    [InlineData("AWS4-HMAC-SHA1 Credential=AKIDKEYHAVEN0001/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00", SigV4FailureReason.UnsupportedAlgorithm)]
    [InlineData("Bearer abc", SigV4FailureReason.UnsupportedAlgorithm)]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDKEYHAVEN0001/20250101/us-east-1/kms, SignedHeaders=host, Signature=00", SigV4FailureReason.MalformedCredentialScope)]
    [InlineData("AWS4-HMAC-SHA256 Credential=/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00", SigV4FailureReason.MalformedCredentialScope)]
    public async Task MalformedAuthorization_IsIncompleteSignature(string authorization, SigV4FailureReason reason)
    {
        SigV4Request request = KmsRequests.SignedPost().WithHeader("Authorization", authorization);

        AssertFailure(await Verify(request), "IncompleteSignatureException", reason);
    }

    [Fact]
    public async Task MissingParameters_AreAllListed()
    {
        SigV4Request request = KmsRequests.SignedPost().WithoutHeader("X-Amz-Date").WithHeader("Authorization", "AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/kms/aws4_request");

        SigV4VerificationResult<string> result = await Verify(request);

        AssertFailure(result, "IncompleteSignatureException", SigV4FailureReason.MalformedAuthorization,
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    [Fact]
    public async Task MissingDate_IsIncompleteSignature()
    {
        SigV4Request request = KmsRequests.SignedPost().WithoutHeader("X-Amz-Date");

        AssertFailure(await Verify(request), "IncompleteSignatureException", SigV4FailureReason.MissingDate,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    [Fact]
    public async Task MalformedDate_IsIncompleteSignature()
    {
        SigV4Request request = KmsRequests.SignedPost().WithHeader("X-Amz-Date", "2025-01-01T12:00:00Z");

        AssertFailure(await Verify(request), "IncompleteSignatureException", SigV4FailureReason.MalformedDate);
    }

    [Fact]
    public async Task UnknownAccessKey_IsUnrecognizedClient()
    {
        var source = new InMemoryCredentialSource().Add("AKIDSOMEONEELSE", KmsRequests.Secret, "bob");

        AssertFailure(await Verify(KmsRequests.SignedPost(), source: source), "UnrecognizedClientException", SigV4FailureReason.UnknownAccessKey,
            "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task WrongSecret_IsInvalidSignature()
    {
        SigV4Request request = KmsRequests.SignedPost(KmsRequests.Signer(secret: "not-the-secret"));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch, Mismatch);
    }

    [Fact]
    public async Task WrongService_IsInvalidSignature()
    {
        SigV4Request request = KmsRequests.SignedPost(KmsRequests.Signer(service: "sts"));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.WrongService, "Credential should be scoped to correct service: 'kms'.");
    }

    [Fact]
    public async Task WrongRegion_IsInvalidSignature()
    {
        SigV4Request request = KmsRequests.SignedPost(KmsRequests.Signer(region: "eu-west-1"));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.WrongRegion, "Credential should be scoped to a valid region, not `eu-west-1`.");
    }

    [Fact]
    public async Task AnyRegion_IsAcceptedWhenNoneConfigured()
    {
        SigV4Request request = KmsRequests.SignedPost(KmsRequests.Signer(region: "eu-west-1"));

        SigV4VerificationResult<string> result = await Verify(request, options: new SigV4VerifierOptions("kms"));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("eu-west-1", result.Authentication.Scope.Region);
    }

    [Fact]
    public async Task ServedRegions_AcceptEachOfThemAndNoOther()
    {
        var options = new SigV4VerifierOptions("kms") { Regions = ["us-east-1", "eu-west-1"] };

        SigV4VerificationResult<string> served = await Verify(KmsRequests.SignedPost(KmsRequests.Signer(region: "eu-west-1")), options: options);
        Assert.True(served.IsSuccess, served.ToString());
        Assert.Equal("eu-west-1", served.Authentication.Scope.Region);

        AssertFailure(await Verify(KmsRequests.SignedPost(KmsRequests.Signer(region: "ap-south-1")), options: options),
            "InvalidSignatureException", SigV4FailureReason.WrongRegion, "Credential should be scoped to a valid region, not `ap-south-1`.");
    }

    [Fact]
    public async Task WrongTerminator_IsInvalidSignature()
    {
        SigV4Request signed = KmsRequests.SignedPost();
        SigV4Request request = signed.WithHeader("Authorization", signed.Header("Authorization").Replace("/aws4_request", "/aws5_request", StringComparison.Ordinal));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.WrongTerminator);
    }

    [Fact]
    public async Task ScopeDateNotMatchingRequestDate_IsInvalidSignature()
    {
        SigV4Request signed = KmsRequests.SignedPost();
        SigV4Request request = signed.WithHeader("Authorization", signed.Header("Authorization").Replace("/20250101/", "/20250102/", StringComparison.Ordinal));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.ScopeDateMismatch,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: `20250102` != `20250101`, from `20250101T120000Z`.");
    }

    [Fact]
    public async Task HostNotSigned_IsRejected()
    {
        var headers = new List<HttpHeader> { new("Content-Type", "application/x-amz-json-1.1"), new("Host", "kms.us-east-1.amazonaws.com") };
        SigV4Request signed = KmsRequests.SignedPost();
        string auth = signed.Header("Authorization");
        SigV4Request request = signed.WithHeader("Authorization", auth.Replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;", StringComparison.Ordinal));

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.HostNotSigned);
    }

    [Fact]
    public async Task MultipleAuthorizationHeaders_AreRejected()
    {
        SigV4Request signed = KmsRequests.SignedPost();
        SigV4Request request = signed with { Headers = signed.Headers.Append(new HttpHeader("authorization", signed.Header("Authorization"))).ToList() };

        AssertFailure(await Verify(request), "IncompleteSignatureException", SigV4FailureReason.MalformedAuthorization);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public async Task GarbageSignature_IsInvalidSignature(string signature)
    {
        SigV4Request signed = KmsRequests.SignedPost();
        string auth = signed.Header("Authorization");
        SigV4Request request = signed.WithHeader("Authorization", auth[..(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)] + signature);

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch, Mismatch);
    }

    [Fact]
    public async Task UppercaseHexOfTheRightSignature_IsRejected()
    {
        // The spec's signature is lower-case hex; accepting other spellings would give one request several valid forms.
        SigV4Request signed = KmsRequests.SignedPost();
        string auth = signed.Header("Authorization");
        int at = auth.IndexOf("Signature=", StringComparison.Ordinal) + 10;
        SigV4Request request = signed.WithHeader("Authorization", auth[..at] + auth[at..].ToUpperInvariant());

        AssertFailure(await Verify(request), "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }
}
