using Keyhaven.SigV4.Tests.Fixtures;

namespace Keyhaven.SigV4.Tests.Signing;

/// <summary>
/// Known-answer tests: every case of the aws-c-auth SigV4 suite, header signing and query (presigned) signing.
/// spec: AWS SigV4 "Create a canonical request", "Create a string to sign", "Calculate the signature".
/// </summary>
public sealed class SigV4SignerKnownAnswerTests
{
    public static TheoryData<string> Cases() => new(SigV4TestSuite.CaseNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void HeaderSigning_MatchesVector(string name)
    {
        SigV4TestCase c = SigV4TestSuite.Load(name);
        var signer = new SigV4Signer(c.Credentials, c.Region, c.Service);

        SigV4SignedRequest signed = signer.Sign(c.ToSigningRequest(), c.Options);

        Assert.Equal(c.Expected("header-canonical-request.txt"), signed.CanonicalRequest);
        Assert.Equal(c.Expected("header-string-to-sign.txt"), signed.StringToSign);
        Assert.Equal(c.Expected("header-signature.txt"), signed.Signature);
        Assert.Equal(c.Expected("header-signed-request.txt"), c.Render(c.Query, signed.HeadersToAdd));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuerySigning_MatchesVector(string name)
    {
        SigV4TestCase c = SigV4TestSuite.Load(name);
        var signer = new SigV4Signer(c.Credentials, c.Region, c.Service);

        SigV4PresignedRequest presigned = signer.Presign(c.ToSigningRequest(), TimeSpan.FromSeconds(c.ExpirationSeconds), c.Options);

        Assert.Equal(c.Expected("query-canonical-request.txt"), presigned.CanonicalRequest);
        Assert.Equal(c.Expected("query-string-to-sign.txt"), presigned.StringToSign);
        Assert.Equal(c.Expected("query-signature.txt"), presigned.Signature);
        Assert.Equal(c.Expected("query-signed-request.txt"), c.Render(presigned.Query, []));
    }
}
