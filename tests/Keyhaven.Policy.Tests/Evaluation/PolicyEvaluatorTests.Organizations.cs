using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

public partial class PolicyEvaluatorTests
{
    private static readonly Keyhaven.Policy.Compilation.CompiledPolicy FullAccess = Statements("FullAWSAccess", Allow());
    private static readonly Keyhaven.Policy.Compilation.CompiledPolicy RcpFullAccess = Statements("RCPFullAWSAccess", AllowPrincipal("\"*\""));

    // spec: orgs_manage_policies_scps_evaluation.html — an SCP allow is needed at every level: root, each OU, the account.
    [Fact]
    public void Scp_allow_needed_at_every_level()
    {
        var id = Statements("id", Allow());
        IReadOnlyList<OrganizationLevel> Path(params Keyhaven.Policy.Compilation.CompiledPolicy[][] levels) =>
            levels.Select((p, i) => new OrganizationLevel(i == 0 ? "r-root" : i == levels.Length - 1 ? AccountA : $"ou-{i}", p)).ToList();

        Assert.True(Decide(S3Get(), new PolicySet { IdentityPolicies = [id], ServiceControlPolicies = Path([FullAccess], [FullAccess], [FullAccess]) }).IsAllowed);

        var missingOu = Decide(S3Get(), new PolicySet { IdentityPolicies = [id], ServiceControlPolicies = Path([FullAccess], [], [FullAccess]) });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ServiceControlPolicy), (missingOu.Outcome, missingOu.Layer));
        Assert.Equal("ou-1", missingOu.Statement!.Value.OrgIdentifier);

        var narrowAccount = Decide(S3Get(), new PolicySet { IdentityPolicies = [id], ServiceControlPolicies = Path([FullAccess], [FullAccess], [Statements("kms-only", Allow("kms:*"))]) });
        Assert.Equal(AccountA, narrowAccount.Statement!.Value.OrgIdentifier);
        Assert.False(narrowAccount.IsAllowed);
    }

    // spec: orgs_manage_policies_scps.html — SCPs grant nothing: an identity allow is still needed.
    [Fact]
    public void Scp_allow_alone_grants_nothing() =>
        Assert.Equal(DecisionLayer.IdentityPolicy, Decide(S3Get(), new PolicySet { ServiceControlPolicies = [new("r-root", [FullAccess])] }).Layer);

    // spec: orgs_manage_policies_scps.html — SCPs do not affect the management account.
    [Fact]
    public void Scps_do_not_apply_to_the_management_account()
    {
        var set = new PolicySet
        {
            IdentityPolicies = [Statements("id", Allow())],
            ServiceControlPolicies = [new("r-root", [Statements("deny", Deny())])],
            ManagementAccount = Arns.AccountId.Parse(AccountA),
        };
        Assert.True(Decide(S3Get(), set).IsAllowed);
    }

    // spec: orgs_manage_policies_scps.html — SCPs do not restrict service principals or resource-policy grants to services.
    [Fact]
    public void Scps_do_not_apply_to_service_principals()
    {
        var service = new AuthorizationRequest { Principal = PrincipalIdentity.ForService("logs.amazonaws.com"), Action = "s3:PutObject", Resource = RequestResource.Create(S3Object, Arns.AccountId.Parse(AccountA)) };
        var set = new PolicySet
        {
            ResourcePolicy = Statements("r", AllowPrincipal("""{"Service":"logs.amazonaws.com"}""")),
            ServiceControlPolicies = [new("r-root", [Statements("deny", Deny())])],
        };
        Assert.True(Decide(service, set).IsAllowed);
    }

    // spec: orgs_manage_policies_rcps_evaluation.html — RCPs of the resource's account need an allow at every level and can deny.
    [Fact]
    public void Rcps_apply_to_the_resource_account()
    {
        var id = Statements("id", Allow());
        Assert.True(Decide(S3Get(), new PolicySet { IdentityPolicies = [id], ResourceControlPolicies = [new("r-root", [RcpFullAccess]), new(AccountA, [RcpFullAccess])] }).IsAllowed);
        var missing = Decide(S3Get(), new PolicySet { IdentityPolicies = [id], ResourceControlPolicies = [new("r-root", [RcpFullAccess]), new(AccountA, [])] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourceControlPolicy), (missing.Outcome, missing.Layer));

        var denyOutside = Statements("deny-external", DenyPrincipal("\"*\"", "s3:*", "*", """ "Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}"""));
        var d = Decide(CrossGet(), new PolicySet
        {
            IdentityPolicies = [id],
            ResourcePolicy = Statements("bucket", AllowPrincipal("\"*\"")),
            ResourceControlPolicies = [new("r-root", [RcpFullAccess, denyOutside])],
        });
        Assert.Equal((DecisionOutcome.ExplicitlyDenied, DecisionLayer.ResourceControlPolicy), (d.Outcome, d.Layer));
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — no SCP/RCP lists means no organization: nothing to satisfy.
    [Fact]
    public void No_organization_means_no_scp_or_rcp_requirement() =>
        Assert.True(Decide(S3Get(), new PolicySet { IdentityPolicies = [Statements("id", Allow())] }).IsAllowed);

    // spec: vpc-endpoints-access.html — an endpoint policy must allow requests made through the endpoint; it grants nothing alone.
    [Fact]
    public void Endpoint_policy_must_allow()
    {
        var id = Statements("id", Allow());
        var endpointOk = Statements("vpce-1", AllowPrincipal("\"*\"", "s3:GetObject"));
        var endpointNarrow = Statements("vpce-1", AllowPrincipal("\"*\"", "s3:PutObject"));
        Assert.True(Decide(S3Get(), new PolicySet { IdentityPolicies = [id], EndpointPolicies = [endpointOk] }).IsAllowed);
        var d = Decide(S3Get(), new PolicySet { IdentityPolicies = [id], EndpointPolicies = [endpointNarrow] });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.VpcEndpointPolicy), (d.Outcome, d.Layer));
        Assert.False(Decide(S3Get(), new PolicySet { EndpointPolicies = [endpointOk] }).IsAllowed);
    }
}
