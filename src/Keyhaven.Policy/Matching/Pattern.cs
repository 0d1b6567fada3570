using System.Diagnostics;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Matching;

/// <summary>
/// A compiled string pattern: literals, <c>*</c>, <c>?</c> and policy variables.
/// Matching allocates nothing; variable values are substituted as literal text (a <c>*</c> inside a value
/// is not a wildcard).
/// </summary>
internal sealed class Pattern
{
    private readonly PatternElement[] _elements;
    private readonly string? _exact;

    internal Pattern(string source, PatternElement[] elements, bool ignoreCase)
    {
        Source = source;
        _elements = elements;
        IgnoreCase = ignoreCase;
        HasVariables = elements.Any(e => e.Kind == PatternElementKind.Variable);
        IsMatchAll = elements.Length == 1 && elements[0].Kind == PatternElementKind.Star;
        if (elements.Length == 1 && elements[0].Kind == PatternElementKind.Literal)
        {
            _exact = elements[0].Text;
        }
        else if (elements.Length == 0)
        {
            _exact = string.Empty;
        }
    }

    /// <summary>The policy text this pattern was compiled from.</summary>
    public string Source { get; }

    public bool IgnoreCase { get; }

    public bool HasVariables { get; }

    /// <summary><see langword="true"/> for the lone <c>*</c>.</summary>
    public bool IsMatchAll { get; }

    internal ReadOnlySpan<PatternElement> Elements => _elements;

    /// <summary>Matches the whole of <paramref name="input"/>.</summary>
    /// <param name="input">The request value.</param>
    /// <param name="request">Supplies policy-variable values; may be null when the pattern has no variables.</param>
    /// <param name="unresolved">Set when a variable has no value and no default (the statement then does not match).</param>
    public bool Match(ReadOnlySpan<char> input, AuthorizationRequest? request, ref bool unresolved)
    {
        if (IsMatchAll)
        {
            return true;
        }

        if (_exact is not null)
        {
            return input.Equals(_exact, IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        return Glob(_elements, input, IgnoreCase, request, ref unresolved);
    }

    /// <summary>Greedy wildcard matching with one backtrack point (linear in practice, O(n*m) worst case).</summary>
    internal static bool Glob(ReadOnlySpan<PatternElement> elements, ReadOnlySpan<char> input, bool ignoreCase, AuthorizationRequest? request, ref bool unresolved)
    {
        int ei = 0, eo = 0, si = 0;
        int starElement = -1, starInput = 0;
        while (si < input.Length)
        {
            if (ei < elements.Length)
            {
                ref readonly var e = ref elements[ei];
                if (e.Kind == PatternElementKind.Star)
                {
                    starElement = ei;
                    starInput = si;
                    ei++;
                    eo = 0;
                    continue;
                }

                if (e.Kind == PatternElementKind.Question)
                {
                    ei++;
                    eo = 0;
                    si++;
                    continue;
                }

                string literal = Resolve(e, request, ref unresolved);
                if (unresolved)
                {
                    return false;
                }

                if (eo >= literal.Length)
                {
                    ei++;
                    eo = 0;
                    continue;
                }

                if (CharEquals(literal[eo], input[si], ignoreCase))
                {
                    si++;
                    eo++;
                    if (eo == literal.Length)
                    {
                        ei++;
                        eo = 0;
                    }

                    continue;
                }
            }

            if (starElement < 0)
            {
                return false;
            }

            // Backtrack: let the last '*' swallow one more character.
            ei = starElement + 1;
            eo = 0;
            starInput++;
            si = starInput;
        }

        if (eo != 0)
        {
            return false; // input ended inside a literal
        }

        for (; ei < elements.Length; ei++)
        {
            ref readonly var e = ref elements[ei];
            if (e.Kind == PatternElementKind.Star)
            {
                continue;
            }

            if (e.Kind == PatternElementKind.Question)
            {
                return false;
            }

            string literal = Resolve(e, request, ref unresolved);
            if (unresolved || literal.Length != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when every policy variable of the pattern has a value (or a default) in <paramref name="request"/>: the
    /// answer depends on the request only, not on the value matched, so a list of patterns can be checked before matching.
    /// </summary>
    public bool Resolves(AuthorizationRequest? request)
    {
        if (!HasVariables)
        {
            return true;
        }

        bool unresolved = false;
        foreach (ref readonly var e in _elements.AsSpan())
        {
            if (e.Kind == PatternElementKind.Variable)
            {
                Resolve(e, request, ref unresolved);
                if (unresolved)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>True when every pattern of <paramref name="patterns"/> <see cref="Resolves"/>.</summary>
    public static bool AllResolve(Pattern[] patterns, AuthorizationRequest? request)
    {
        foreach (var p in patterns)
        {
            if (!p.Resolves(request))
            {
                return false;
            }
        }

        return true;
    }

    private static string Resolve(in PatternElement e, AuthorizationRequest? request, ref bool unresolved)
    {
        if (e.Kind == PatternElementKind.Literal)
        {
            return e.Text;
        }

        Debug.Assert(e.Kind == PatternElementKind.Variable);
        if (request is not null && request.TryGetSingleValue(e.Text, out var value))
        {
            return value;
        }

        if (e.Default is not null)
        {
            return e.Default;
        }

        unresolved = true;
        return string.Empty;
    }

    private static bool CharEquals(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    /// <inheritdoc/>
    public override string ToString() => Source;
}
