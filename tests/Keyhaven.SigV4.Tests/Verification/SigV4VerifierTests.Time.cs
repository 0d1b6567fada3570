namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>Clock skew (5 minutes each way) and presigned expiry, with a pinned clock.</summary>
public sealed partial class SigV4VerifierTests
{
    private static readonly DateTimeOffset T = KmsRequests.SigningTime;

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(-300)]
    public async Task WithinSkew_Verifies(int serverOffsetSeconds)
    {
        SigV4VerificationResult<string> result = await Verify(KmsRequests.SignedPost(), T.AddSeconds(serverOffsetSeconds));

        Assert.True(result.IsSuccess, result.ToString());
    }

    [Fact]
    public async Task OneSecondPastSkew_IsSignatureExpired()
    {
        // spec: AWS rejects requests signed more than 5 minutes before the server clock.
        SigV4VerificationResult<string> result = await Verify(KmsRequests.SignedPost(), T.AddSeconds(301));

        AssertFailure(result, "InvalidSignatureException", SigV4FailureReason.RequestExpired,
            "Signature expired: 20250101T120000Z is now earlier than 20250101T120001Z (20250101T120501Z - 5 min.)");
    }

    [Fact]
    public async Task OneSecondBeforeSkew_IsSignatureNotYetCurrent()
    {
        SigV4VerificationResult<string> result = await Verify(KmsRequests.SignedPost(), T.AddSeconds(-301));

        AssertFailure(result, "InvalidSignatureException", SigV4FailureReason.RequestNotYetValid,
            "Signature not yet current: 20250101T120000Z is still later than 20250101T115959Z (20250101T115459Z + 5 min.)");
    }

    [Fact]
    public async Task Presigned_VerifiesUntilExpiry()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));

        Assert.True((await Verify(request, T)).IsSuccess);
        Assert.True((await Verify(request, T.AddSeconds(900))).IsSuccess);
    }

    [Fact]
    public async Task Presigned_AfterExpiry_IsSignatureExpired()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));

        AssertFailure(await Verify(request, T.AddSeconds(901)), "InvalidSignatureException", SigV4FailureReason.PresignedUrlExpired,
            "Signature expired: 20250101T120000Z is now earlier than 20250101T120001Z (20250101T121501Z - 15 min.)");
    }

    [Fact]
    public async Task Presigned_FromTheFuture_IsNotYetCurrent()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));

        AssertFailure(await Verify(request, T.AddSeconds(-301)), "InvalidSignatureException", SigV4FailureReason.RequestNotYetValid);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("604801")]
    [InlineData("-5")]
    [InlineData("15m")]
    public async Task Presigned_ExpiresOutOfRange_IsIncompleteSignature(string expires)
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));
        request = request with { RawQuery = request.RawQuery.Replace("X-Amz-Expires=900", "X-Amz-Expires=" + expires, StringComparison.Ordinal) };

        AssertFailure(await Verify(request), "IncompleteSignatureException", SigV4FailureReason.InvalidExpires);
    }

    [Fact]
    public async Task Presigned_MaxExpiry_Verifies()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(604_800));

        Assert.True((await Verify(request, T.AddDays(7))).IsSuccess);
    }

    [Fact]
    public async Task Presigned_MissingParameter_IsIncompleteSignature()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));
        string query = string.Join('&', request.RawQuery.Split('&').Where(p => !p.StartsWith("X-Amz-SignedHeaders=", StringComparison.Ordinal)));

        AssertFailure(await Verify(request with { RawQuery = query }), "IncompleteSignatureException", SigV4FailureReason.MalformedAuthorization,
            "Query-string authentication requires the 'X-Amz-SignedHeaders' parameter.");
    }

    [Fact]
    public async Task Presigned_TamperedQuery_Fails()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));

        AssertFailure(await Verify(request with { RawQuery = request.RawQuery.Replace("Action=ListKeys", "Action=ListAliases", StringComparison.Ordinal) }),
            "InvalidSignatureException", SigV4FailureReason.SignatureMismatch);
    }

    [Fact]
    public async Task Presigned_WithAuthorizationHeaderToo_IsAmbiguous()
    {
        SigV4Request request = KmsRequests.PresignedGet(TimeSpan.FromSeconds(900));
        SigV4Request withHeader = request.WithHeader("Authorization", KmsRequests.SignedPost().Header("Authorization"));

        AssertFailure(await Verify(withHeader), "IncompleteSignatureException", SigV4FailureReason.AmbiguousAuthentication);
    }

    [Fact]
    public void Presign_RejectsExpiryOutOfRange()
    {
        var toSign = new SigV4SigningRequest("GET", "/", "", [new("Host", "h")], PayloadHash.Empty);

        Assert.Throws<ArgumentOutOfRangeException>(() => KmsRequests.Signer().Presign(toSign, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => KmsRequests.Signer().Presign(toSign, TimeSpan.FromSeconds(604_801)));
    }
}
