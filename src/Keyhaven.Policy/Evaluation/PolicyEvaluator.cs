using System.Diagnostics;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Conditions;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// Decides requests following AWS's documented policy evaluation logic: explicit deny anywhere; then every
/// resource-control-policy and service-control-policy level must allow; then VPC endpoint policies; then the
/// resource-based policy and identity-based policies (same-account union, cross-account intersection), limited by
/// permissions boundaries and session policies; for KMS keys the key policy must allow, and IAM policies count only
/// when the key policy allows the account; KMS grants are an additional allow path.
/// </summary>
/// <remarks>Pure, stateless and thread-safe. <see cref="Evaluate"/> allocates nothing for string, ARN, numeric,
/// date and boolean conditions.</remarks>
// spec: IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// spec: IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// spec: kms/latest/developerguide/determining-access.html
public static class PolicyEvaluator
{
    /// <summary>Decides <paramref name="request"/> against <paramref name="policies"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Decision Evaluate(AuthorizationRequest request, PolicySet policies)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        return Decide(request, policies);
    }

    /// <summary>Decides and explains: lists every statement evaluated and formats the AWS-style message. Allocates; not for the hot path.</summary>
    public static DecisionExplanation Explain(AuthorizationRequest request, PolicySet policies)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        var decision = Decide(request, policies);
        var trace = new List<StatementEvaluation>();
        var scope = Scope.Of(request, policies);
        if (scope.ScpApplies)
        {
            foreach (var level in policies.ServiceControlPolicies!)
            {
                foreach (var p in level.Policies)
                {
                    TraceAll(trace, request, p, DecisionLayer.ServiceControlPolicy, level.OrgIdentifier, checkPrincipal: false);
                }
            }
        }

        if (scope.RcpApplies)
        {
            foreach (var level in policies.ResourceControlPolicies!)
            {
                foreach (var p in level.Policies)
                {
                    TraceAll(trace, request, p, DecisionLayer.ResourceControlPolicy, level.OrgIdentifier, checkPrincipal: true);
                }
            }
        }

        foreach (var p in policies.EndpointPolicies)
        {
            TraceAll(trace, request, p, DecisionLayer.VpcEndpointPolicy, null, checkPrincipal: true);
        }

        if (policies.ResourcePolicy is { } rp)
        {
            TraceAll(trace, request, rp, DecisionLayer.ResourcePolicy, null, checkPrincipal: true);
        }

        foreach (var p in policies.IdentityPolicies)
        {
            TraceAll(trace, request, p, DecisionLayer.IdentityPolicy, null, checkPrincipal: false);
        }

        foreach (var p in policies.PermissionsBoundaries)
        {
            TraceAll(trace, request, p, DecisionLayer.PermissionsBoundary, null, checkPrincipal: false);
        }

        if (policies.SessionPolicy is { } sp)
        {
            TraceAll(trace, request, sp, DecisionLayer.SessionPolicy, null, checkPrincipal: false);
        }

        return new DecisionExplanation(decision, decision.FormatMessage(request), trace);
    }

    private static void TraceAll(List<StatementEvaluation> trace, AuthorizationRequest request, CompiledPolicy policy, DecisionLayer layer, string? org, bool checkPrincipal)
    {
        foreach (var s in policy.Statements)
        {
            var outcome = s.Match(request, checkPrincipal, policy.PrincipalBindings, out _) switch
            {
                MatchResult.True => StatementOutcome.Matched,
                MatchResult.Error => StatementOutcome.ConditionError,
                MatchResult.Unresolved => StatementOutcome.UnresolvedVariable,
                _ => StatementOutcome.NotMatched,
            };
            trace.Add(new StatementEvaluation(layer, Ref(policy, s, org), s.Effect, outcome));
        }
    }

    /// <summary>Which organization layers apply to this request.</summary>
    private readonly record struct Scope(bool ScpApplies, bool RcpApplies, bool PrincipalHasIdentity, bool SameAccount)
    {
        public static Scope Of(AuthorizationRequest request, PolicySet policies)
        {
            var p = request.Principal;
            bool hasIdentity = p.Type is not (PrincipalType.Service or PrincipalType.Anonymous or PrincipalType.FederatedProvider);
            // SCPs limit principals of member accounts; not the management account, not service principals.
            bool scp = policies.ServiceControlPolicies is not null && hasIdentity && p.Account != policies.ManagementAccount;
            // RCPs limit access to resources of member accounts; not service principals (spec: orgs_manage_policies_rcps.html).
            bool rcp = policies.ResourceControlPolicies is not null && p.Type != PrincipalType.Service
                && request.Resource.Account != policies.ManagementAccount;
            return new Scope(scp, rcp, hasIdentity, hasIdentity && p.Account == request.Resource.Account);
        }
    }

    private static Decision Decide(AuthorizationRequest request, PolicySet set)
    {
        var scope = Scope.Of(request, set);

        // 1. An applicable Deny in any policy wins.
        if (FindDeny(request, set, scope) is { } denied)
        {
            return denied;
        }

        // 2. Resource control policies: an Allow at every level of the resource account's path.
        if (scope.RcpApplies && MissingOrgAllow(request, set.ResourceControlPolicies!, checkPrincipal: true) is { } rcpLevel)
        {
            return new Decision(DecisionOutcome.ImplicitlyDenied, DecisionLayer.ResourceControlPolicy, new StatementReference("", null, -1, rcpLevel));
        }

        // 3. Service control policies: an Allow at every level of the principal account's path.
        if (scope.ScpApplies && MissingOrgAllow(request, set.ServiceControlPolicies!, checkPrincipal: false) is { } scpLevel)
        {
            return new Decision(DecisionOutcome.ImplicitlyDenied, DecisionLayer.ServiceControlPolicy, new StatementReference("", null, -1, scpLevel));
        }

        // 4. VPC endpoint policies: each endpoint the request went through must allow.
        for (int i = 0; i < set.EndpointPolicies.Count; i++)
        {
            var endpoint = set.EndpointPolicies[i];
            if (FindAllow(request, endpoint, checkPrincipal: true, out _) is null)
            {
                return new Decision(DecisionOutcome.ImplicitlyDenied, DecisionLayer.VpcEndpointPolicy, new StatementReference(endpoint.Name, null, -1));
            }
        }

        // 5. Resource-based and identity-based policies.
        var decision = DecideResourceAndIdentity(request, set, scope);
        if (!decision.IsAllowed && request.Resource.IsKmsKey && set.Grants.Count > 0 && FindGrant(request, set.Grants) is { } grant)
        {
            return new Decision(DecisionOutcome.Allowed, DecisionLayer.Grant, new StatementReference(grant.GrantId, null, -1));
        }

        return decision;
    }

    private static Decision DecideResourceAndIdentity(AuthorizationRequest request, PolicySet set, Scope scope)
    {
        var principal = request.Principal;
        var resourcePolicy = set.ResourcePolicy;
        var match = PrincipalMatch.None;
        var resourceAllow = resourcePolicy is null ? null : FindAllow(request, resourcePolicy, checkPrincipal: true, out match);
        var resourceAllowRef = resourceAllow is null ? (StatementReference?)null : Ref(resourcePolicy!, resourceAllow, null);

        if (!scope.PrincipalHasIdentity)
        {
            // Services and anonymous callers have no identity policies: only a resource policy naming them (or "*") allows.
            return resourceAllow is not null && match != PrincipalMatch.Account
                ? new Decision(DecisionOutcome.Allowed, DecisionLayer.ResourcePolicy, resourceAllowRef)
                : ImplicitDeny(DecisionLayer.ResourcePolicy, resourcePolicy);
        }

        if ((request.Resource.IsKmsKey || set.ResourcePolicyMustAllow) && resourceAllow is null)
        {
            // KMS: the key policy must allow, directly or by allowing the account (which enables IAM policies); the same
            // holds for a role's trust policy.
            return ImplicitDeny(DecisionLayer.ResourcePolicy, resourcePolicy);
        }

        if (scope.SameAccount && resourceAllow is not null && match != PrincipalMatch.Account)
        {
            // Same account, the resource policy names the principal (or "*"): the resource policy alone allows.
            // An IAM user ARN or a session ARN is not limited by an implicit deny in a boundary or session policy;
            // a role ARN (matching its sessions) or "*" is.
            bool limited = match == PrincipalMatch.RoleArn
                || (match == PrincipalMatch.Wildcard && principal.Type is PrincipalType.RoleSession or PrincipalType.Role or PrincipalType.FederatedUser);
            if (!limited)
            {
                return new Decision(DecisionOutcome.Allowed, DecisionLayer.ResourcePolicy, resourceAllowRef);
            }

            if (MissingBoundaryOrSession(request, set) is { } limit)
            {
                return limit;
            }

            return new Decision(DecisionOutcome.Allowed, DecisionLayer.ResourcePolicy, resourceAllowRef);
        }

        if (!scope.SameAccount && resourceAllow is null)
        {
            // Cross-account: the resource account must allow through its resource-based policy.
            return ImplicitDeny(DecisionLayer.ResourcePolicy, resourcePolicy);
        }

        // The identity-based path: an identity policy must allow, within every boundary and the session policy.
        StatementReference? identityAllow = null;
        var layer = DecisionLayer.IdentityPolicy;
        if (principal.Type == PrincipalType.AccountRoot)
        {
            layer = DecisionLayer.AccountRoot;
        }
        else
        {
            for (int i = 0; i < set.IdentityPolicies.Count; i++)
            {
                var p = set.IdentityPolicies[i];
                if (FindAllow(request, p, checkPrincipal: false, out _) is { } s)
                {
                    identityAllow = Ref(p, s, null);
                    break;
                }
            }

            if (identityAllow is null)
            {
                return new Decision(DecisionOutcome.ImplicitlyDenied, DecisionLayer.IdentityPolicy, null);
            }

            if (MissingBoundaryOrSession(request, set) is { } limit)
            {
                return limit;
            }
        }

        return new Decision(DecisionOutcome.Allowed, layer, identityAllow ?? resourceAllowRef);
    }

    private static Decision ImplicitDeny(DecisionLayer layer, CompiledPolicy? policy) =>
        new(DecisionOutcome.ImplicitlyDenied, layer, policy is null ? null : new StatementReference(policy.Name, null, -1));

    private static Decision? MissingBoundaryOrSession(AuthorizationRequest request, PolicySet set)
    {
        if (request.Principal.Type == PrincipalType.AccountRoot)
        {
            return null;
        }

        for (int i = 0; i < set.PermissionsBoundaries.Count; i++)
        {
            var boundary = set.PermissionsBoundaries[i];
            if (FindAllow(request, boundary, checkPrincipal: false, out _) is null)
            {
                return ImplicitDeny(DecisionLayer.PermissionsBoundary, boundary);
            }
        }

        if (set.SessionPolicy is { } session && FindAllow(request, session, checkPrincipal: false, out _) is null)
        {
            return ImplicitDeny(DecisionLayer.SessionPolicy, session);
        }

        return null;
    }

    private static Decision? FindDeny(AuthorizationRequest request, PolicySet set, Scope scope)
    {
        if (scope.ScpApplies)
        {
            for (int i = 0; i < set.ServiceControlPolicies!.Count; i++)
            {
                var level = set.ServiceControlPolicies![i];
                for (int j = 0; j < level.Policies.Count; j++)
                {
                    var p = level.Policies[j];
                    if (FindDenyIn(request, p, checkPrincipal: false) is { } s)
                    {
                        return Denied(DecisionLayer.ServiceControlPolicy, p, s, level.OrgIdentifier);
                    }
                }
            }
        }

        if (scope.RcpApplies)
        {
            for (int i = 0; i < set.ResourceControlPolicies!.Count; i++)
            {
                var level = set.ResourceControlPolicies![i];
                for (int j = 0; j < level.Policies.Count; j++)
                {
                    var p = level.Policies[j];
                    if (FindDenyIn(request, p, checkPrincipal: true) is { } s)
                    {
                        return Denied(DecisionLayer.ResourceControlPolicy, p, s, level.OrgIdentifier);
                    }
                }
            }
        }

        for (int i = 0; i < set.EndpointPolicies.Count; i++)
        {
            var p = set.EndpointPolicies[i];
            if (FindDenyIn(request, p, checkPrincipal: true) is { } s)
            {
                return Denied(DecisionLayer.VpcEndpointPolicy, p, s, null);
            }
        }

        if (set.ResourcePolicy is { } rp && FindDenyIn(request, rp, checkPrincipal: true) is { } rs)
        {
            return Denied(DecisionLayer.ResourcePolicy, rp, rs, null);
        }

        if (scope.PrincipalHasIdentity)
        {
            for (int i = 0; i < set.IdentityPolicies.Count; i++)
            {
                var p = set.IdentityPolicies[i];
                if (FindDenyIn(request, p, checkPrincipal: false) is { } s)
                {
                    return Denied(DecisionLayer.IdentityPolicy, p, s, null);
                }
            }

            for (int i = 0; i < set.PermissionsBoundaries.Count; i++)
            {
                var p = set.PermissionsBoundaries[i];
                if (FindDenyIn(request, p, checkPrincipal: false) is { } s)
                {
                    return Denied(DecisionLayer.PermissionsBoundary, p, s, null);
                }
            }

            if (set.SessionPolicy is { } sp && FindDenyIn(request, sp, checkPrincipal: false) is { } ss)
            {
                return Denied(DecisionLayer.SessionPolicy, sp, ss, null);
            }
        }

        return null;
    }

    private static Decision Denied(DecisionLayer layer, CompiledPolicy policy, CompiledStatement statement, string? org) =>
        new(DecisionOutcome.ExplicitlyDenied, layer, Ref(policy, statement, org));

    private static StatementReference Ref(CompiledPolicy policy, CompiledStatement statement, string? org) =>
        new(policy.Name, statement.Sid, statement.Index, org);

    /// <summary>The first Deny statement that applies; a condition error inside a Deny applies (fail closed).</summary>
    private static CompiledStatement? FindDenyIn(AuthorizationRequest request, CompiledPolicy policy, bool checkPrincipal)
    {
        foreach (var s in policy.Denies)
        {
            var r = s.Match(request, checkPrincipal, policy.PrincipalBindings, out _);
            if (r is MatchResult.True or MatchResult.Error)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>An Allow statement that applies, preferring the strongest principal match (exact over account delegation).</summary>
    private static CompiledStatement? FindAllow(AuthorizationRequest request, CompiledPolicy policy, bool checkPrincipal, out PrincipalMatch best)
    {
        best = PrincipalMatch.None;
        CompiledStatement? found = null;
        foreach (var s in policy.Allows)
        {
            if (s.Match(request, checkPrincipal, policy.PrincipalBindings, out var m) != MatchResult.True)
            {
                continue;
            }

            if (!checkPrincipal)
            {
                return s;
            }

            Debug.Assert(m != PrincipalMatch.None);
            if (m > best)
            {
                best = m;
                found = s;
                if (m == PrincipalMatch.Exact)
                {
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>The first organization level with no applicable Allow, or null when every level allows.</summary>
    private static string? MissingOrgAllow(AuthorizationRequest request, IReadOnlyList<OrganizationLevel> levels, bool checkPrincipal)
    {
        for (int i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            bool allowed = false;
            for (int j = 0; j < level.Policies.Count; j++)
            {
                var p = level.Policies[j];
                if (FindAllow(request, p, checkPrincipal, out _) is not null)
                {
                    allowed = true;
                    break;
                }
            }

            if (!allowed)
            {
                return level.OrgIdentifier;
            }
        }

        return null;
    }

    /// <summary>A grant on the key, for the caller, covering the operation, whose constraints the request satisfies.</summary>
    private static KmsGrant? FindGrant(AuthorizationRequest request, IReadOnlyList<KmsGrant> grants)
    {
        var action = request.Action.AsSpan();
        if (!action.StartsWith("kms:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var operation = action[4..];
        var p = request.Principal;
        for (int i = 0; i < grants.Count; i++)
        {
            var g = grants[i];
            if (!string.Equals(g.KeyArn, request.Resource.Arn, StringComparison.Ordinal))
            {
                continue;
            }

            bool grantee = string.Equals(g.GranteePrincipal, p.Arn, StringComparison.Ordinal)
                || (p.RoleArn is not null && string.Equals(g.GranteePrincipal, p.RoleArn, StringComparison.Ordinal));
            if (!grantee)
            {
                continue;
            }

            bool operationAllowed = false;
            for (int j = 0; j < g.Operations.Count; j++)
            {
                var op = g.Operations[j];
                if (operation.Equals(op, StringComparison.Ordinal))
                {
                    operationAllowed = true;
                    break;
                }
            }

            if (operationAllowed && SatisfiesConstraints(g.Constraints, request.EncryptionContext))
            {
                return g;
            }
        }

        return null;
    }

    private static bool SatisfiesConstraints(GrantConstraints? constraints, IReadOnlyDictionary<string, string>? context)
    {
        if (constraints is null)
        {
            return true;
        }

        context ??= new Dictionary<string, string>();
        if (constraints.EncryptionContextEquals is { } equals)
        {
            if (equals.Count != context.Count)
            {
                return false;
            }

            foreach (var (k, v) in equals)
            {
                if (!context.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        if (constraints.EncryptionContextSubset is { } subset)
        {
            foreach (var (k, v) in subset)
            {
                if (!context.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
