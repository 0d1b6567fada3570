using System.Diagnostics.CodeAnalysis;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Compilation;

/// <summary>Parses and compiles policy documents. Pure and thread-safe.</summary>
public static class PolicyCompiler
{
    /// <summary>Parses <paramref name="json"/> and compiles it.</summary>
    /// <param name="json">The policy document text.</param>
    /// <param name="name">The name to report in explanations.</param>
    /// <param name="policy">The compiled policy on success.</param>
    /// <param name="errors">Every parse error on failure (empty on success).</param>
    /// <param name="limits">Input limits; <see cref="PolicyLimits.Default"/> when null.</param>
    /// <returns><see langword="false"/> when the document is invalid; callers must then fail closed (deny).</returns>
    public static bool TryCompile(string json, string name, [NotNullWhen(true)] out CompiledPolicy? policy,
        out IReadOnlyList<PolicyParseError> errors, PolicyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = PolicyParser.Parse(json, limits);
        errors = result.Errors;
        if (!result.IsSuccess)
        {
            policy = null;
            return false;
        }

        policy = Build(result.Document, name, CompiledPolicy.Hash(json));
        return true;
    }

    /// <summary>Compiles an already parsed document.</summary>
    /// <exception cref="ArgumentException">The document was built by hand and is not valid (parsed documents always are).</exception>
    public static CompiledPolicy Compile(PolicyDocument document, string name)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(name);
        return Build(document, name, CompiledPolicy.Hash(PolicyWriter.Write(document)));
    }

    /// <summary>Parses and compiles <paramref name="json"/>.</summary>
    /// <exception cref="FormatException">The document is invalid; the message lists the errors with their JSON paths.</exception>
    public static CompiledPolicy Compile(string json, string name) =>
        TryCompile(json, name, out var policy, out var errors)
            ? policy
            : throw new FormatException($"Policy `{name}` is invalid: " + string.Join("; ", errors));

    private static CompiledPolicy Build(PolicyDocument document, string name, string hash)
    {
        var statements = new CompiledStatement[document.Statements.Count];
        for (int i = 0; i < statements.Length; i++)
        {
            statements[i] = new CompiledStatement(document.Statements[i], i, document.SupportsVariables);
        }

        return new CompiledPolicy(name, document, hash, statements);
    }
}
