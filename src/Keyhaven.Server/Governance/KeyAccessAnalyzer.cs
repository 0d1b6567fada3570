using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Server.Authorization;

namespace Keyhaven.Server.Governance;

/// <summary>
/// "Who can use this key": runs the authorization real requests get (<see cref="KmsAuthorizer.PrepareAsync"/>, then
/// <see cref="PolicyEvaluator"/> across SCPs, RCPs, the key policy, grants, identity policies, boundaries and session
/// policies) for one principal, key and action, as for a request through the public listener.
/// </summary>
/// <remarks>
/// First for a request that carries nothing in particular (no encryption context, no network or transport keys):
/// allowed means allowed. Otherwise for candidate requests built from the values the policies' own request-dependent
/// conditions name (<see cref="RequestConditionKeys"/>, <see cref="ConditionSolver"/>) and from the grants'
/// encryption-context constraints; the first the engine allows makes the access "allowed with conditions", listing the
/// clauses of the statements that allowed it. Deny statements conditioned on the request are reported as restrictions
/// when a request meeting them is denied. Not thread-safe (caches each principal's compiled policies); one per run.
/// </remarks>
internal sealed class KeyAccessAnalyzer(KmsAuthorizer authorizer)
{
    private const int MaxCandidates = 64;
    private readonly Dictionary<AnalyzedPrincipal, (CallerPolicies? Policies, string? Error)> _callers = [];

    /// <summary>One clause-bearing statement: where it is, its effect and its request-dependent condition clauses.</summary>
    private sealed record RequestClauses(DecisionLayer Layer, CompiledPolicy Policy, string? Org, int Index, PolicyEffect Effect, IReadOnlyList<ConditionEntry> Entries)
    {
        public bool Is(StatementReference reference, DecisionLayer layer) =>
            layer == Layer && reference.PolicyName == Policy.Name && reference.Index == Index && reference.OrgIdentifier == Org;

        public string Reference => $"{Layer}: {new StatementReference(Policy.Name, Policy.Document.Statements[Index].Sid, Index, Org)}";
    }

    public async Task<KeyAccessEntry> EvaluateAsync(AnalyzedPrincipal principal, KmsKey key, string action, CancellationToken cancellationToken)
    {
        var (callerPolicies, error) = await CallerAsync(principal, cancellationToken);
        if (callerPolicies is null)
        {
            return new KeyAccessEntry(principal, KeyAccessOutcome.Denied, nameof(DecisionLayer.IdentityPolicy), null, [], [], error!);
        }

        var caller = new KmsCaller(AccountId.Parse(principal.Account), key.Region, principal.Caller.Arn);
        var baseAccess = new KmsAccess(action) { KeyIdentifier = key.Arn };
        try
        {
            var (request, set) = await authorizer.PrepareAsync(callerPolicies, caller, null, key, baseAccess, [], cancellationToken);
            var decision = PolicyEvaluator.Evaluate(request, set);
            var clauses = Clauses(set);
            if (decision.IsAllowed)
            {
                return new KeyAccessEntry(principal, KeyAccessOutcome.Allowed, decision.Layer.ToString(), Describe(decision), [],
                    await RestrictionsAsync(callerPolicies, caller, key, baseAccess, clauses, [], cancellationToken), decision.FormatMessage(request));
            }

            var baselineDenies = PolicyEvaluator.Explain(request, set).Statements.Where(s => s.Effect == PolicyEffect.Deny && s.Applies).ToList();
            foreach (var candidate in Candidates(clauses, set.Grants))
            {
                var (candidateRequest, candidateSet) = await authorizer.PrepareAsync(callerPolicies, caller, null, key, ToAccess(baseAccess, candidate), [], cancellationToken);
                var allowed = PolicyEvaluator.Evaluate(candidateRequest, candidateSet);
                if (allowed.IsAllowed)
                {
                    var conditions = Conditions(candidateRequest, candidateSet, allowed, clauses, baselineDenies, candidate);
                    return new KeyAccessEntry(principal, KeyAccessOutcome.AllowedWithConditions, allowed.Layer.ToString(), Describe(allowed), conditions,
                        await RestrictionsAsync(callerPolicies, caller, key, baseAccess, clauses, candidate, cancellationToken), allowed.FormatMessage(candidateRequest));
                }
            }

            return new KeyAccessEntry(principal, KeyAccessOutcome.Denied, decision.Layer.ToString(), Describe(decision), [], [], decision.FormatMessage(request));
        }
        catch (KmsException exception)
        {
            // Fail closed, as for a request: a policy the engine cannot read denies.
            return new KeyAccessEntry(principal, KeyAccessOutcome.Denied, nameof(DecisionLayer.None), null, [], [], exception.Message);
        }
    }

    private async ValueTask<(CallerPolicies? Policies, string? Error)> CallerAsync(AnalyzedPrincipal principal, CancellationToken cancellationToken)
    {
        if (!_callers.TryGetValue(principal, out var loaded))
        {
            try
            {
                loaded = (await authorizer.LoadCallerAsync(principal.Caller, cancellationToken), null);
            }
            catch (KmsException exception)
            {
                loaded = (null, exception.Message);
            }

            _callers[principal] = loaded;
        }

        return loaded;
    }

    /// <summary>The deciding statement: <c>policy#Sid</c>, <c>grant:ID</c>, or for a layer that lacked an Allow the policy (or organization level) alone.</summary>
    private static string? Describe(Decision decision) => decision.Statement switch
    {
        null => null,
        { } s when decision.Layer == DecisionLayer.Grant => "grant:" + s.PolicyName,
        { Index: < 0 } s => s.OrgIdentifier is null ? s.PolicyName : s.PolicyName.Length == 0 ? s.OrgIdentifier : s.OrgIdentifier + "/" + s.PolicyName,
        { } s => s.ToString(),
    };

    /// <summary>Every statement of every layer with request-dependent condition clauses.</summary>
    private static List<RequestClauses> Clauses(PolicySet set)
    {
        var layers = new List<(DecisionLayer Layer, CompiledPolicy Policy, string? Org)>();
        foreach (var level in set.ServiceControlPolicies ?? [])
        {
            layers.AddRange(level.Policies.Select(p => (DecisionLayer.ServiceControlPolicy, p, (string?)level.OrgIdentifier)));
        }

        foreach (var level in set.ResourceControlPolicies ?? [])
        {
            layers.AddRange(level.Policies.Select(p => (DecisionLayer.ResourceControlPolicy, p, (string?)level.OrgIdentifier)));
        }

        if (set.ResourcePolicy is { } resourcePolicy)
        {
            layers.Add((DecisionLayer.ResourcePolicy, resourcePolicy, null));
        }

        layers.AddRange(set.IdentityPolicies.Select(p => (DecisionLayer.IdentityPolicy, p, (string?)null)));
        layers.AddRange(set.PermissionsBoundaries.Select(p => (DecisionLayer.PermissionsBoundary, p, (string?)null)));
        if (set.SessionPolicy is { } session)
        {
            layers.Add((DecisionLayer.SessionPolicy, session, null));
        }

        var clauses = new List<RequestClauses>();
        foreach (var (layer, policy, org) in layers)
        {
            for (var i = 0; i < policy.Document.Statements.Count; i++)
            {
                var statement = policy.Document.Statements[i];
                var entries = statement.Conditions.Where(c => RequestConditionKeys.IsRequestKey(c.Key)).ToList();
                if (entries.Count > 0)
                {
                    clauses.Add(new RequestClauses(layer, policy, org, i, statement.Effect, entries));
                }
            }
        }

        return clauses;
    }

    /// <summary>Candidate requests (condition key to value), most permissive first, without duplicates.</summary>
    private static IEnumerable<Dictionary<string, string>> Candidates(List<RequestClauses> clauses, IReadOnlyList<KmsGrant> grants)
    {
        var allows = clauses.Where(c => c.Effect == PolicyEffect.Allow).Select(c => Assign(c.Entries, ConditionSolver.Propose)).Where(a => a.Count > 0).ToList();
        var escapes = Merge(clauses.Where(c => c.Effect == PolicyEffect.Deny).Select(c => Assign(c.Entries, ConditionSolver.ProposeAgainst)));
        var grantContexts = grants.Where(g => g.Constraints is not null)
            .Select(g => (g.Constraints!.EncryptionContextEquals ?? g.Constraints.EncryptionContextSubset ?? new Dictionary<string, string>())
                .ToDictionary(p => RequestConditionKeys.EncryptionContextPrefix + p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase))
            .ToList();

        var merged = Merge(allows);
        var all = new List<Dictionary<string, string>> { Merge([merged, escapes]), merged };
        foreach (var allow in allows)
        {
            all.Add(Merge([allow, escapes]));
            all.Add(allow);
        }

        foreach (var grant in grantContexts)
        {
            all.Add(Merge([grant, escapes]));
            all.Add(grant);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        return all.Where(a => a.Count > 0 && seen.Add(string.Join("\n", a.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key + "=" + p.Value))))
            .Take(MaxCandidates);
    }

    private static Dictionary<string, string> Assign(IEnumerable<ConditionEntry> entries, Func<ConditionEntry, string?> propose)
    {
        var assignment = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (propose(entry) is { } value)
            {
                assignment.TryAdd(entry.Key, value);
            }
        }

        return assignment;
    }

    /// <summary>Merges assignments; the first to give a key wins.</summary>
    private static Dictionary<string, string> Merge(IEnumerable<Dictionary<string, string>> assignments)
    {
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in assignments)
        {
            foreach (var (key, value) in assignment)
            {
                merged.TryAdd(key, value);
            }
        }

        return merged;
    }

    /// <summary>The access with the candidate's values: encryption-context keys into the encryption context (so grants see them), the rest as condition keys.</summary>
    private static KmsAccess ToAccess(KmsAccess access, Dictionary<string, string> assignment)
    {
        var encryptionContext = new Dictionary<string, string>(StringComparer.Ordinal);
        var context = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in assignment)
        {
            if (key.StartsWith(RequestConditionKeys.EncryptionContextPrefix, StringComparison.OrdinalIgnoreCase))
            {
                encryptionContext[key[RequestConditionKeys.EncryptionContextPrefix.Length..]] = value;
            }
            else if (key.Equals("kms:EncryptionContextKeys", StringComparison.OrdinalIgnoreCase))
            {
                encryptionContext.TryAdd(value, ConditionSolver.OtherValue);
            }
            else
            {
                context[key] = new ContextValues(value);
            }
        }

        return access with
        {
            EncryptionContext = encryptionContext.Count > 0 ? encryptionContext : null,
            Context = context.Count > 0 ? context : null,
        };
    }

    /// <summary>What a request must carry: the allowing grant's constraints, the request clauses of the statements that allowed, the denies it stepped around.</summary>
    private static List<string> Conditions(AuthorizationRequest request, PolicySet set, Decision decision, List<RequestClauses> clauses,
        List<StatementEvaluation> baselineDenies, Dictionary<string, string> candidate)
    {
        var conditions = new List<string>();
        if (decision.Layer == DecisionLayer.Grant && set.Grants.FirstOrDefault(g => g.GrantId == decision.Statement?.PolicyName) is { Constraints: { } constraints } grant)
        {
            if (constraints.EncryptionContextEquals is { } equals)
            {
                conditions.Add($"encryption context equals {{{Pairs(equals)}}} (grant:{grant.GrantId})");
            }

            if (constraints.EncryptionContextSubset is { } subset)
            {
                conditions.Add($"encryption context contains {{{Pairs(subset)}}} (grant:{grant.GrantId})");
            }
        }

        foreach (var matched in PolicyEvaluator.Explain(request, set).Statements.Where(s => s.Effect == PolicyEffect.Allow && s.Outcome == StatementOutcome.Matched))
        {
            if (clauses.Find(c => c.Effect == PolicyEffect.Allow && c.Is(matched.Statement, matched.Layer)) is { } clause)
            {
                conditions.AddRange(clause.Entries.Select(e => $"{ConditionSolver.Describe(e)} ({clause.Reference})"));
            }
        }

        foreach (var deny in baselineDenies)
        {
            if (clauses.Find(c => c.Effect == PolicyEffect.Deny && c.Is(deny.Statement, deny.Layer)) is { } clause)
            {
                conditions.AddRange(clause.Entries.Select(e => $"not {ConditionSolver.Describe(e)} ({clause.Reference})"));
            }
        }

        if (conditions.Count == 0)
        {
            conditions.AddRange(candidate.Select(p => $"{p.Key} = {p.Value}"));
        }

        return conditions.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string Pairs(IReadOnlyDictionary<string, string> pairs) => string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Deny statements with request clauses that deny the access for a request meeting them.</summary>
    private async Task<List<string>> RestrictionsAsync(CallerPolicies callerPolicies, KmsCaller caller, KmsKey key, KmsAccess access, List<RequestClauses> clauses,
        Dictionary<string, string> allowing, CancellationToken cancellationToken)
    {
        var restrictions = new List<string>();
        foreach (var deny in clauses.Where(c => c.Effect == PolicyEffect.Deny))
        {
            var candidate = new Dictionary<string, string>(allowing, StringComparer.OrdinalIgnoreCase);
            foreach (var entry in deny.Entries)
            {
                if (ConditionSolver.Propose(entry) is { } value)
                {
                    candidate[entry.Key] = value;
                }
                else
                {
                    candidate.Remove(entry.Key);
                }
            }

            var (request, set) = await authorizer.PrepareAsync(callerPolicies, caller, null, key, ToAccess(access, candidate), [], cancellationToken);
            var decision = PolicyEvaluator.Evaluate(request, set);
            if (decision.Outcome == DecisionOutcome.ExplicitlyDenied && decision.Statement is { } statement && deny.Is(statement, decision.Layer))
            {
                restrictions.Add($"denied when {string.Join(" and ", deny.Entries.Select(ConditionSolver.Describe))} ({deny.Reference})");
            }
        }

        return restrictions;
    }
}
