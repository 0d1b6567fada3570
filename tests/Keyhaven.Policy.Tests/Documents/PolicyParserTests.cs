using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Tests.Documents;

/// <summary>Parser: the grammar of reference_policies_grammar.html and precise errors with JSON paths.</summary>
public class PolicyParserTests
{
    private static PolicyParseError SingleError(string json)
    {
        var result = PolicyParser.Parse(json);
        Assert.False(result.IsSuccess);
        return Assert.Single(result.Errors);
    }

    // spec: reference_policies_grammar.html — Statement may be one object or an array; single strings become one-element lists.
    [Fact]
    public void Parses_single_statement_object_and_scalars()
    {
        var r = PolicyParser.Parse("""{"Version":"2012-10-17","Id":"k1","Statement":{"Sid":"A","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true}}}}""");
        Assert.True(r.IsSuccess);
        var s = Assert.Single(r.Document.Statements);
        Assert.Equal(PolicyVersion.V2012_10_17, r.Document.Version);
        Assert.Equal("k1", r.Document.Id);
        Assert.Equal("A", s.Sid);
        Assert.Equal(["kms:Decrypt"], s.Action!.Value);
        Assert.Equal(new PrincipalEntry(PrincipalKind.Aws, "111111111111"), s.Principal!.Entries[0]);
        Assert.Equal(new ConditionEntry("Bool", "aws:SecureTransport", new ValueList<string>(["true"])), s.Conditions[0]);
    }

    // spec: reference_policies_elements_version.html — only 2008-10-17 and 2012-10-17 exist; a missing Version means 2008-10-17.
    [Fact]
    public void Version_rules()
    {
        Assert.Equal(PolicyVersion.Unspecified, PolicyParser.Parse("""{"Statement":[]}""").Document!.Version);
        Assert.Equal(PolicyVersion.V2008_10_17, PolicyParser.Parse("""{"Version":"2008-10-17","Statement":[]}""").Document!.Version);
        var e = SingleError("""{"Version":"2024-01-01","Statement":[]}""");
        Assert.Equal(("INVALID_VERSION", "$.Version"), (e.Code, e.Path));
    }

    [Theory]
    [InlineData("""{"Statement":[{"Action":"*","Resource":"*"}]}""", "MISSING_EFFECT", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}""", "INVALID_EFFECT", "$.Statement[0].Effect")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Resource":"*"}]}""", "MISSING_ACTION", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}""", "UNSUPPORTED_ELEMENT_COMBINATION", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}""", "UNSUPPORTED_ELEMENT_COMBINATION", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*","NotPrincipal":"*"}]}""", "UNSUPPORTED_ELEMENT_COMBINATION", "$.Statement[0]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","action":"*"}]}""", "UNKNOWN_ELEMENT", "$.Statement[0].action")]
    [InlineData("""{"Statement":[],"Extra":1}""", "UNKNOWN_ELEMENT", "$.Extra")]
    [InlineData("""{"Version":"2012-10-17"}""", "MISSING_STATEMENT", "$")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"Decrypt","Resource":"*"}]}""", "INVALID_ACTION", "$.Statement[0].Action")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt",5],"Resource":"*"}]}""", "INVALID_JSON_TYPE", "$.Statement[0].Action[1]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"bucket/*"}]}""", "INVALID_ARN", "$.Statement[0].Resource")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":["*","arn:aws:s3"]}]}""", "INVALID_ARN", "$.Statement[0].Resource[1]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":"12345"}}]}""", "INVALID_PRINCIPAL", "$.Statement[0].Principal.AWS")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":"arn:aws:iam::111111111111:user/*"}}]}""", "INVALID_PRINCIPAL", "$.Statement[0].Principal.AWS")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"Group":"x"}}]}""", "INVALID_PRINCIPAL", "$.Statement[0].Principal.Group")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"everyone"}]}""", "INVALID_PRINCIPAL", "$.Statement[0].Principal")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}]}""", "INVALID_CONDITION_OPERATOR", "$.Statement[0].Condition.StringEqualz")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}]}""", "INVALID_CONDITION_OPERATOR", "$.Statement[0].Condition.NullIfExists")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringequals":{"k":"v"}}}]}""", "INVALID_CONDITION_OPERATOR", "$.Statement[0].Condition.stringequals")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k":"ten"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.NumericLessThan.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"k":"01/02/2024"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.DateLessThan.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"k":"10.0.0.0/33"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.IpAddress.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"yes"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.Bool.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"k":"maybe"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.Null.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"k":"not base64!"}}}]}""", "INVALID_CONDITION_VALUE", "$.Statement[0].Condition.BinaryEquals.k")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]}""", "INVALID_JSON_TYPE", "$.Statement[0].Condition.StringEquals.k")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username"}]}""", "INVALID_POLICY_VARIABLE", "$.Statement[0].Resource")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}""", "DUPLICATE_KEY", "$.Statement[0].Effect")]
    [InlineData("""{"Statement":["Allow"]}""", "INVALID_JSON_TYPE", "$.Statement[0]")]
    [InlineData("""[1,2]""", "INVALID_JSON_TYPE", "$")]
    [InlineData("""{"Statement":[}""", "INVALID_JSON", "$")]
    [InlineData("", "EMPTY_POLICY", "$")]
    public void Reports_errors_with_json_path(string json, string code, string path)
    {
        var e = SingleError(json);
        Assert.Equal((code, path), (e.Code, e.Path));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Collects_every_error()
    {
        var r = PolicyParser.Parse("""{"Statement":[{"Effect":"Maybe","Action":"x","Resource":"y"},{"Action":"*"}]}""");
        Assert.Equal(4, r.Errors.Count);
        Assert.Contains(r.Errors, e => e.Path == "$.Statement[1]" && e.Code == "MISSING_EFFECT");
    }

    // House style: explicit input limits (document size, statements).
    [Fact]
    public void Enforces_limits()
    {
        var limits = new PolicyLimits(MaxDocumentChars: 100, MaxStatements: 2, MaxDepth: 16);
        Assert.Equal("DOCUMENT_TOO_LONG", SingleError(new string(' ', 32_769) + "{}").Code);
        Assert.Equal("DOCUMENT_TOO_LONG", PolicyParser.Parse(new string(' ', 101), limits).Errors[0].Code);
        const string three = """{"Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":"*"}]}""";
        Assert.Equal("TOO_MANY_STATEMENTS", PolicyParser.Parse(three, limits with { MaxDocumentChars = 1000 }).Errors[0].Code);
        Assert.Equal("INVALID_JSON", SingleError(new string('[', 100) + new string(']', 100)).Code);
    }

    // spec: reference_policies_elements_principal.html — the principal forms AWS accepts.
    [Theory]
    [InlineData("*")]
    [InlineData("111111111111")]
    [InlineData("arn:aws:iam::111111111111:root")]
    [InlineData("arn:aws:iam::111111111111:user/path/alice")]
    [InlineData("arn:aws:iam::111111111111:role/App")]
    [InlineData("arn:aws:sts::111111111111:assumed-role/App/s1")]
    [InlineData("arn:aws:sts::111111111111:federated-user/bob")]
    public void Accepts_aws_principal_forms(string principal) =>
        Assert.True(PolicyParser.Parse($$"""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"*","Resource":"*"}]}""").IsSuccess);

    [Fact]
    public void Accepts_service_and_federated_principals() =>
        Assert.True(PolicyParser.Parse("""{"Statement":[{"Effect":"Allow","Principal":{"Service":["logs.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}""").IsSuccess);
}
