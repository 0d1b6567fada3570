using Keyhaven.Policy.Validation;

namespace Keyhaven.Policy.Tests.Validation;

/// <summary>Each validation finding (after IAM Access Analyzer's policy checks).</summary>
// spec: IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
public class PolicyValidatorTests
{
    private static IReadOnlyList<ValidationFinding> V(string json, PolicyType type = PolicyType.Identity) => PolicyValidator.Validate(json, type);

    private static ValidationFinding Has(IReadOnlyList<ValidationFinding> findings, FindingType type, string code)
    {
        var f = findings.FirstOrDefault(f => f.IssueCode == code);
        Assert.True(f is not null, $"expected {code}; got: {string.Join(" | ", findings)}");
        Assert.Equal(type, f.Type);
        return f;
    }

    [Fact]
    public void Clean_policy_has_no_findings() =>
        Assert.Empty(V("""{"Version":"2012-10-17","Statement":[{"Sid":"Use","Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:us-east-1:111111111111:key/k"}]}"""));

    [Fact]
    public void Parse_errors_are_ERROR_findings()
    {
        var f = Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsX":{"k":"v"}}}]}"""), FindingType.Error, "INVALID_CONDITION_OPERATOR");
        Assert.Equal("$.Statement[0].Condition.StringEqualsX", f.Path);
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3"}]}"""), FindingType.Error, "INVALID_ARN");
    }

    // spec: reference_policies_elements_condition_operators.html — an operator is one of the listed names, exactly: not a
    // comma-separated list (which Enum.TryParse read as a flags OR of two operators), not padded with spaces, not a number.
    [Theory]
    [InlineData("StringLike,StringNotEquals")]
    [InlineData("StringLike, StringNotEquals")]
    [InlineData("StringEquals ")]
    [InlineData(" StringEquals")]
    [InlineData("ForAnyValue:StringEquals ")]
    [InlineData("StringEqualsIfExistsIfExists")]
    [InlineData("ForAllValues:1")]
    public void Condition_operators_are_matched_by_exact_name_only(string op)
    {
        var json = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"OP":{"k":"v"}}}]}""".Replace("OP", op, StringComparison.Ordinal);
        Has(V(json), FindingType.Error, "INVALID_CONDITION_OPERATOR");
        Assert.False(Keyhaven.Policy.Conditions.ConditionOperatorName.TryParse(op, out _));
    }

    // spec: organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html — RCPs are Deny statements (Allow only in
    // the AWS managed RCPFullAWSAccess), Principal "*" only, no NotPrincipal.
    [Fact]
    public void Resource_control_policies_take_only_Deny_statements_with_Principal_star()
    {
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}""", PolicyType.ResourceControl),
            FindingType.Error, "RCP_ALLOW_NOT_SUPPORTED");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}""", PolicyType.ResourceControl),
            FindingType.Error, "RCP_NOT_PRINCIPAL_NOT_SUPPORTED");
        Assert.DoesNotContain(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}""", PolicyType.ResourceControl),
            f => f.Type == FindingType.Error);
    }

    // spec: access-analyzer-reference-policy-checks.html#...-security-warning-forallvalues-with-single-valued-key
    [Fact]
    public void ForAllValues_with_single_valued_key_is_a_security_warning()
    {
        var f = Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalTag/team":"a"}}}]}"""),
            FindingType.SecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY");
        Assert.Equal("$.Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalTag/team", f.Path);
    }

    [Fact]
    public void Set_operator_findings_for_single_and_multi_valued_keys()
    {
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:SourceVpce":"v"}}}]}"""), FindingType.Warning, "FORANYVALUE_WITH_SINGLE_VALUED_KEY");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"v"}}}]}"""), FindingType.Warning, "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"v"}}}]}"""), FindingType.Suggestion, "FORALLVALUES_WITHOUT_NULL_CHECK");
    }

    // spec: kms/latest/developerguide/conditions-kms.html (Value type column) and conditions-nitro-enclaves.html
    [Theory]
    [InlineData("kms:DataKeyPairSpec")]
    [InlineData("kms:GrantConstraintType")]
    [InlineData("kms:ReEncryptOnSameKey")]
    [InlineData("kms:RecipientAttestation:ImageSha384")]
    [InlineData("kms:RecipientAttestation:PCR0")]
    [InlineData("kms:KeySpec")]
    public void KMS_single_valued_keys_are_known(string key) =>
        Has(V($$$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"{{{{key}}}}":"v"}}}]}"""),
            FindingType.SecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY");

    [Theory]
    [InlineData("kms:ResourceAliases")]
    [InlineData("kms:EncryptionContextKeys")]
    [InlineData("kms:GrantOperations")]
    public void KMS_multi_valued_keys_are_known(string key) =>
        Has(V($$$$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"{{{{key}}}}":"v"}}}]}"""),
            FindingType.Warning, "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR");

    // spec: access-analyzer-reference-policy-checks.html — Allow with NotPrincipal.
    [Fact]
    public void Allow_with_NotPrincipal_is_a_security_warning() =>
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"kms:*","Resource":"*"}]}""", PolicyType.Resource),
            FindingType.SecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL");

    [Fact]
    public void Allow_with_NotAction_or_NotResource_is_a_security_warning()
    {
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"""), FindingType.SecurityWarning, "ALLOW_WITH_NOT_ACTION");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]}"""), FindingType.SecurityWarning, "ALLOW_WITH_NOT_RESOURCE");
    }

    [Fact]
    public void Public_principal_without_condition_in_resource_policy_is_a_security_warning()
    {
        const string json = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}""";
        Has(V(json, PolicyType.Resource), FindingType.SecurityWarning, "PUBLIC_ACCESS_WITHOUT_CONDITION");
        Assert.DoesNotContain(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111111111111"}}}]}""", PolicyType.Resource),
            f => f.IssueCode == "PUBLIC_ACCESS_WITHOUT_CONDITION");
    }

    [Fact]
    public void Missing_version_is_a_warning() =>
        Has(V("""{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"""), FindingType.Warning, "MISSING_VERSION");

    [Fact]
    public void Policy_variable_in_old_version_is_a_warning() =>
        Has(V("""{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"""), FindingType.Warning, "POLICY_VARIABLE_IN_OLD_VERSION");

    [Fact]
    public void Redundant_statement_action_and_resource_are_suggestions()
    {
        var f = V("""{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"Decrypt","Effect":"Allow","Action":["kms:Decrypt","kms:Decrypt*"],"Resource":["arn:aws:kms:us-east-1:111111111111:key/*","arn:aws:kms:us-east-1:111111111111:key/k"]}]}""");
        Assert.Equal("$.Statement[1]", Has(f, FindingType.Suggestion, "REDUNDANT_STATEMENT").Path);
        Assert.Equal("$.Statement[1].Action[0]", Has(f, FindingType.Suggestion, "REDUNDANT_ACTION").Path);
        Assert.Equal("$.Statement[1].Resource[1]", Has(f, FindingType.Suggestion, "REDUNDANT_RESOURCE").Path);
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"""), FindingType.Suggestion, "REDUNDANT_STATEMENT");
        Assert.DoesNotContain(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"""),
            x => x.IssueCode == "REDUNDANT_STATEMENT");
    }

    [Fact]
    public void Empty_arrays_are_suggestions()
    {
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"""), FindingType.Suggestion, "EMPTY_ARRAY_ACTION");
        Has(V("""{"Version":"2012-10-17","Statement":[]}"""), FindingType.Suggestion, "EMPTY_ARRAY_STATEMENT");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[]}}}]}"""), FindingType.Suggestion, "EMPTY_ARRAY_CONDITION");
    }

    [Fact]
    public void Duplicate_sid_is_an_error() =>
        Has(V("""{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}"""), FindingType.Error, "DUPLICATE_SID");

    [Fact]
    public void Type_specific_element_rules()
    {
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}""", PolicyType.Identity), FindingType.Error, "UNSUPPORTED_PRINCIPAL");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}""", PolicyType.ServiceControl), FindingType.Error, "MISSING_RESOURCE");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""", PolicyType.Resource), FindingType.Error, "MISSING_PRINCIPAL");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}""", PolicyType.Trust), FindingType.Error, "UNSUPPORTED_RESOURCE");
        Has(V("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"}]}""", PolicyType.ResourceControl), FindingType.Error, "RCP_PRINCIPAL_MUST_BE_STAR");
    }

    [Fact]
    public void Size_limit_depends_on_policy_type()
    {
        string actions = string.Join(",", Enumerable.Range(0, 700).Select(i => $"\"kms:Operation{i}\""));
        string json = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[{{actions}}],"Resource":"*"}]}""";
        Has(V(json, PolicyType.Identity), FindingType.Error, "POLICY_SIZE_EXCEEDED");
        Assert.DoesNotContain(V(json.Replace("\"Effect\"", "\"Principal\":\"*\",\"Effect\""), PolicyType.Resource), f => f.IssueCode == "POLICY_SIZE_EXCEEDED");
    }

    [Fact]
    public void Findings_render_as_json_with_access_analyzer_type_names()
    {
        string json = PolicyValidator.ToJson(V("""{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"""));
        Assert.Contains("\"findingType\": \"WARNING\"", json);
        Assert.Contains("\"issueCode\": \"MISSING_VERSION\"", json);
        Assert.Contains("`Version`", json); // human-readable: backticks and quotes are not \u-escaped
    }

    [Theory]
    [InlineData("identity", PolicyType.Identity)]
    [InlineData("RESOURCE", PolicyType.Resource)]
    [InlineData("scp", PolicyType.ServiceControl)]
    [InlineData("rcp", PolicyType.ResourceControl)]
    [InlineData("trust", PolicyType.Trust)]
    public void Parses_policy_type_names(string text, PolicyType expected)
    {
        Assert.True(PolicyValidator.TryParsePolicyType(text, out var t));
        Assert.Equal(expected, t);
        Assert.False(PolicyValidator.TryParsePolicyType("bucket", out _));
    }
}
