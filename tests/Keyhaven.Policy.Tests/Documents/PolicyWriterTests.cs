using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Tests.Documents;

/// <summary>Printing: parse(print(p)) == p for hand-picked documents (the property test covers random ones).</summary>
public class PolicyWriterTests
{
    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}""")]
    [InlineData("""{"Id":"x","Statement":[{"Sid":"a","Effect":"Deny","NotPrincipal":{"AWS":["111111111111","arn:aws:iam::111111111111:user/a"],"Service":"s.amazonaws.com"},"NotAction":["s3:Get*"],"NotResource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*","b"]},"NumericLessThan":{"n":5},"Bool":{"aws:SecureTransport":false}}}]}""")]
    [InlineData("""{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}"}]}""")]
    public void Round_trips(string json)
    {
        var parsed = PolicyParser.Parse(json);
        Assert.True(parsed.IsSuccess, string.Join("; ", parsed.Errors));
        string printed = PolicyWriter.Write(parsed.Document, indented: true);
        var reparsed = PolicyParser.Parse(printed);
        Assert.True(reparsed.IsSuccess, string.Join("; ", reparsed.Errors));
        Assert.Equal(parsed.Document, reparsed.Document);
        Assert.Equal(PolicyWriter.Write(parsed.Document), PolicyWriter.Write(reparsed.Document));
    }
}
