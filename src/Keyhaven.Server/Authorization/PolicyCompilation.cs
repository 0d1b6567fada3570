using System.Runtime.CompilerServices;
using Keyhaven.Identity.Organizations;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// Compiles policy documents for the authorizers, once: by the policy string instance a cached record holds (no
/// hashing on a warm path), then by content. Thread-safe; one instance serves every authorizer.
/// </summary>
internal sealed class PolicyCompilation
{
    private readonly ConditionalWeakTable<string, CompiledPolicy> _byInstance = new();
    // Stored documents were checked against their type's limits on input; compiling them must not refuse one (that denies all).
    private readonly CompiledPolicyCache _byContent = new(limits: PolicyLimits.Stored);
    private readonly ConditionalWeakTable<IReadOnlyList<GuardrailLevel>, List<OrganizationLevel>> _levels = new();

    /// <summary>The compiled policy, or null when the engine cannot read it (callers fail closed).</summary>
    public CompiledPolicy? Compile(string json, string name)
    {
        if (_byInstance.TryGetValue(json, out var cached))
        {
            return cached;
        }

        if (!_byContent.TryGetOrCompile(json, name, out var compiled, out _))
        {
            return null;
        }

        _byInstance.AddOrUpdate(json, compiled);
        return compiled;
    }

    /// <summary>Compiles a policy someone wants to store, returning the engine's errors when it cannot.</summary>
    public bool TryCompile(string json, string name, out IReadOnlyList<PolicyParseError> errors) =>
        _byContent.TryGetOrCompile(json, name, out _, out errors);

    /// <summary>
    /// SCP or RCP levels (root, OUs, account) compiled for the engine; null when the account is in no organization.
    /// Cached per level list: the organization store hands out the same guardrails until the organization changes.
    /// </summary>
    /// <exception cref="InvalidDataException">A guardrail policy cannot be read (callers fail closed).</exception>
    public IReadOnlyList<OrganizationLevel>? Levels(IReadOnlyList<GuardrailLevel>? levels) =>
        levels is null ? null : _levels.GetValue(levels, list => list.Select(level => new OrganizationLevel(level.OrgIdentifier,
            level.Policies.Select(p => Compile(p.Document, p.Name) ?? throw new InvalidDataException($"Guardrail `{p.Name}` cannot be evaluated.")).ToList())).ToList());
}
