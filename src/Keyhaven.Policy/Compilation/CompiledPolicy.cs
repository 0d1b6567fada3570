using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Compilation;

/// <summary>
/// A policy compiled into evaluable form. Create with <see cref="PolicyCompiler"/> or <see cref="CompiledPolicyCache"/>;
/// compile once, evaluate many times.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class CompiledPolicy
{
    internal CompiledPolicy(string name, PolicyDocument document, string contentHash, CompiledStatement[] statements, PrincipalBindings? bindings = null)
    {
        Name = name;
        PrincipalBindings = bindings ?? PrincipalBindings.Empty;
        Document = document;
        ContentHash = contentHash;
        Statements = statements;
        Denies = statements.Where(s => s.Effect == PolicyEffect.Deny).ToArray();
        Allows = statements.Where(s => s.Effect == PolicyEffect.Allow).ToArray();
        _conditionKeys = document.Statements.SelectMany(s => s.Conditions).Select(c => c.Key).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    private readonly FrozenSet<string> _conditionKeys;

    /// <summary>The name used in explanations (policy name, key id, SCP name...).</summary>
    public string Name { get; }

    /// <summary>The parsed document.</summary>
    public PolicyDocument Document { get; }

    /// <summary>Lower-case hex SHA-256 of the document text it was compiled from.</summary>
    public string ContentHash { get; }

    /// <summary>The unique ids the policy's user and role ARNs were bound to when it was saved (resource-based policies); empty: match by ARN.</summary>
    public PrincipalBindings PrincipalBindings { get; }

    internal CompiledStatement[] Statements { get; }

    internal CompiledStatement[] Denies { get; }

    internal CompiledStatement[] Allows { get; }

    /// <summary>
    /// True when a condition of one of the statements names <paramref name="key"/> (matched case-insensitively, as
    /// condition keys are): lets a caller compute a costly context key only for the policies that read it.
    /// </summary>
    public bool UsesConditionKey(string key) => _conditionKeys.Contains(key);

    /// <summary>The same compiled policy under another name (shares the compiled statements).</summary>
    public CompiledPolicy WithName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name == Name ? this : new CompiledPolicy(name, Document, ContentHash, Statements, PrincipalBindings);
    }

    /// <summary>The same compiled policy with its principal ARNs bound to unique ids (shares the compiled statements).</summary>
    public CompiledPolicy WithPrincipalBindings(PrincipalBindings bindings)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        return ReferenceEquals(bindings, PrincipalBindings) ? this : new CompiledPolicy(Name, Document, ContentHash, Statements, bindings);
    }

    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Statements.Length} statements, sha256:{ContentHash[..12]})";
}
