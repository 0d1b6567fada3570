using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;
using static Keyhaven.Policy.Tests.Support.TestData;

namespace Keyhaven.Policy.Tests.Evaluation;

// spec: IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles — a saved ARN stands for the
// principal's unique id; a deleted and re-created principal has another id and no longer matches.
public partial class PolicyEvaluatorTests
{
    private static AuthorizationRequest WithUniqueId(string principal, string? roleArn, string? uniqueId) => new()
    {
        Principal = PrincipalIdentity.Parse(principal, roleArn, uniqueId),
        Action = "kms:Decrypt",
        Resource = RequestResource.Create(KeyA, Arns.AccountId.Parse(AccountA)),
    };

    private static PrincipalBindings Bound(string arn, string id) => PrincipalBindings.Create([KeyValuePair.Create(arn, id)]);

    [Fact]
    public void A_bound_user_arn_matches_only_the_user_with_that_unique_id()
    {
        var key = Statements("key", AllowPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "kms:Decrypt"));
        var bound = key.WithPrincipalBindings(Bound(UserAlice, "AIDAOLDALICE"));

        Assert.True(Decide(WithUniqueId(UserAlice, null, "AIDAOLDALICE"), new PolicySet { ResourcePolicy = bound }).IsAllowed);
        Assert.False(Decide(WithUniqueId(UserAlice, null, "AIDANEWALICE"), new PolicySet { ResourcePolicy = bound }).IsAllowed);
        Assert.False(Decide(WithUniqueId(UserAlice, null, null), new PolicySet { ResourcePolicy = bound }).IsAllowed); // unknown id: fail closed

        // Without a binding (a policy stored before bindings were recorded), the ARN matches by its text.
        Assert.True(Decide(WithUniqueId(UserAlice, null, "AIDANEWALICE"), new PolicySet { ResourcePolicy = key }).IsAllowed);
    }

    [Fact]
    public void A_bound_role_arn_matches_sessions_of_the_role_with_that_unique_id_only()
    {
        var key = Statements("key", AllowPrincipal($$"""{"AWS":"{{RoleApp}}"}""", "kms:Decrypt"));
        var bound = key.WithPrincipalBindings(Bound(RoleApp, "AROAOLDAPP"));

        Assert.True(Decide(WithUniqueId(SessionApp, RoleApp, "AROAOLDAPP"), new PolicySet { ResourcePolicy = bound }).IsAllowed);
        var d = Decide(WithUniqueId(SessionApp, RoleApp, "AROANEWAPP"), new PolicySet { ResourcePolicy = bound });
        Assert.Equal((DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourcePolicy), (d.Outcome, d.Layer));
    }

    [Fact]
    public void A_bound_deny_names_only_the_principal_it_was_bound_to_and_the_name_of_the_policy_keeps_the_binding()
    {
        var key = Statements("key", AllowPrincipal("\"*\"", "kms:Decrypt"), DenyPrincipal($$"""{"AWS":"{{UserAlice}}"}""", "kms:Decrypt"))
            .WithPrincipalBindings(Bound(UserAlice, "AIDAOLDALICE")).WithName("renamed");

        Assert.Equal(DecisionOutcome.ExplicitlyDenied, Decide(WithUniqueId(UserAlice, null, "AIDAOLDALICE"), new PolicySet { ResourcePolicy = key }).Outcome);
        Assert.True(Decide(WithUniqueId(UserAlice, null, "AIDANEWALICE"), new PolicySet { ResourcePolicy = key }).IsAllowed);
    }

    [Fact]
    public void A_policy_lists_its_user_and_role_principals_and_shows_a_gone_one_by_its_unique_id()
    {
        var json = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["{{UserAlice}}","{{RoleApp}}","{{RootA}}","{{AccountA}}"],"Service":"logs.amazonaws.com"},"Action":"kms:*","Resource":"{{UserAlice}}"}]}""";
        var document = PolicyParser.Parse(json).Document!;
        Assert.Equal([UserAlice, RoleApp], PolicyPrincipals.UserAndRoleArns(document));

        var shown = PolicyPrincipals.Replace(json, new Dictionary<string, string> { [UserAlice] = "AIDAOLDALICE" });
        // A unique id is not a principal a policy may be saved with (the parser refuses it), so read the shown text as JSON.
        using var shownJson = System.Text.Json.JsonDocument.Parse(shown);
        var principal = shownJson.RootElement.GetProperty("Statement")[0].GetProperty("Principal");
        Assert.Equal(["AIDAOLDALICE", RoleApp, RootA, AccountA], principal.GetProperty("AWS").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("logs.amazonaws.com", principal.GetProperty("Service")[0].GetString());
        Assert.Contains(UserAlice, shown); // the Resource element is not a principal and stays as written
        Assert.Same(json, PolicyPrincipals.Replace(json, new Dictionary<string, string>()));
    }
}
