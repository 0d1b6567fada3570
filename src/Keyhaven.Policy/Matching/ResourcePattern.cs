using System.Diagnostics;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Matching;

/// <summary>
/// A <c>Resource</c> / <c>NotResource</c> entry or an ARN condition value, matched segment by segment:
/// each of the first five ARN segments is matched on its own (a wildcard there never crosses ':'), and the
/// resource segment is matched as a whole (a <c>*</c> there crosses '/' and ':'). Case-sensitive.
/// </summary>
internal sealed class ResourcePattern
{
    // spec: reference_policies_elements_resource.html — wildcards within each ARN segment; case-sensitive.
    private readonly Pattern _whole;
    private readonly PatternElement[][]? _segments;

    private ResourcePattern(Pattern whole, PatternElement[][]? segments)
    {
        _whole = whole;
        _segments = segments;
    }

    public string Source => _whole.Source;

    public bool IsMatchAll => _whole.IsMatchAll;

    public bool HasVariables => _whole.HasVariables;

    /// <summary>True when every policy variable of the pattern has a value (or a default) in <paramref name="request"/>.</summary>
    public bool Resolves(AuthorizationRequest? request) => _whole.Resolves(request);

    /// <summary>True when every pattern of <paramref name="patterns"/> <see cref="Resolves"/>.</summary>
    public static bool AllResolve(ResourcePattern[] patterns, AuthorizationRequest? request)
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

    /// <summary>Compiles a resource pattern (wildcards always on, variables when the version supports them).</summary>
    public static bool TryCompile(string text, bool variables, out ResourcePattern pattern, out string? error)
    {
        var syntax = PatternSyntax.Wildcards | (variables ? PatternSyntax.Variables : PatternSyntax.None);
        if (!PatternCompiler.TryCompile(text, syntax, out var whole, out error))
        {
            pattern = null!;
            return false;
        }

        pattern = new ResourcePattern(whole, SplitSegments(whole.Elements));
        return true;
    }

    /// <summary>Splits the elements at the first five literal ':' characters; null when there are fewer than five.</summary>
    private static PatternElement[][]? SplitSegments(ReadOnlySpan<PatternElement> elements)
    {
        var segments = new List<PatternElement[]>(6);
        var current = new List<PatternElement>();
        foreach (var e in elements)
        {
            if (e.Kind != PatternElementKind.Literal || segments.Count == 5)
            {
                current.Add(e);
                continue;
            }

            string text = e.Text;
            int start = 0;
            for (int i = 0; i < text.Length && segments.Count < 5; i++)
            {
                if (text[i] == ':')
                {
                    if (i > start)
                    {
                        current.Add(e with { Text = text[start..i] });
                    }

                    segments.Add(current.ToArray());
                    current.Clear();
                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                current.Add(e with { Text = text[start..] });
            }
        }

        if (segments.Count < 5)
        {
            return null;
        }

        segments.Add(current.ToArray());
        Debug.Assert(segments.Count == 6);
        return segments.ToArray();
    }

    /// <summary>Matches <paramref name="input"/> (an ARN or any other resource string).</summary>
    public bool Match(ReadOnlySpan<char> input, AuthorizationRequest? request, ref bool unresolved)
    {
        if (_whole.IsMatchAll)
        {
            return true;
        }

        if (_segments is null)
        {
            // An "arn:" pattern with fewer than six segments never matches a six-segment ARN.
            if (Source.StartsWith("arn:", StringComparison.Ordinal) && input.Count(':') >= 5)
            {
                return false;
            }

            return _whole.Match(input, request, ref unresolved);
        }

        // Locate the input's first five colons without allocating.
        int start = 0;
        for (int s = 0; s < 5; s++)
        {
            int colon = input[start..].IndexOf(':');
            if (colon < 0)
            {
                return false; // an ARN pattern never matches a non-ARN string
            }

            if (!Pattern.Glob(_segments[s], input.Slice(start, colon), ignoreCase: false, request, ref unresolved))
            {
                return false;
            }

            start += colon + 1;
        }

        return Pattern.Glob(_segments[5], input[start..], ignoreCase: false, request, ref unresolved);
    }

    /// <inheritdoc/>
    public override string ToString() => Source;
}
