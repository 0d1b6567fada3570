using System.Text;

namespace Keyhaven.Policy.Matching;

/// <summary>Turns policy strings into <see cref="Pattern"/>s; reports malformed policy variables.</summary>
internal static class PatternCompiler
{
    /// <summary>Compiles <paramref name="text"/>.</summary>
    /// <param name="text">The policy string.</param>
    /// <param name="syntax">Which special characters are honoured.</param>
    /// <param name="pattern">The compiled pattern when successful.</param>
    /// <param name="error">Why compilation failed (an unterminated or malformed <c>${</c>).</param>
    public static bool TryCompile(string text, PatternSyntax syntax, out Pattern pattern, out string? error)
    {
        var elements = new List<Matching.PatternElement>();
        var literal = new StringBuilder();
        error = null;
        bool wildcards = (syntax & PatternSyntax.Wildcards) != 0;
        bool variables = (syntax & PatternSyntax.Variables) != 0;

        void Flush()
        {
            if (literal.Length > 0)
            {
                elements.Add(new PatternElement(PatternElementKind.Literal, literal.ToString()));
                literal.Clear();
            }
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (wildcards && c == '*')
            {
                Flush();
                if (elements.Count == 0 || elements[^1].Kind != PatternElementKind.Star)
                {
                    elements.Add(new PatternElement(PatternElementKind.Star, "*"));
                }
            }
            else if (wildcards && c == '?')
            {
                Flush();
                elements.Add(new PatternElement(PatternElementKind.Question, "?"));
            }
            else if (variables && c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                int close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    error = $"Policy variable starting at offset {i} in `{text}` has no closing `}}`.";
                    pattern = null!;
                    return false;
                }

                string body = text.Substring(i + 2, close - i - 2);
                i = close;
                if (body is "*" or "?" or "$")
                {
                    // spec: reference_policies_variables.html#policy-vars-specialchars — escapes are literal.
                    literal.Append(body);
                    continue;
                }

                if (!TryParseVariable(body, out var key, out var defaultValue))
                {
                    error = $"Policy variable `${{{body}}}` is malformed (expected ${{key}} or ${{key, 'default'}}).";
                    pattern = null!;
                    return false;
                }

                Flush();
                elements.Add(new PatternElement(PatternElementKind.Variable, key, defaultValue));
            }
            else
            {
                literal.Append(c);
            }
        }

        Flush();
        pattern = new Pattern(text, elements.ToArray(), (syntax & PatternSyntax.IgnoreCase) != 0);
        return true;
    }

    private static bool TryParseVariable(string body, out string key, out string? defaultValue)
    {
        defaultValue = null;
        int comma = body.IndexOf(',');
        key = (comma < 0 ? body : body[..comma]).Trim();
        if (key.Length == 0 || key.Any(char.IsWhiteSpace))
        {
            return false;
        }

        if (comma < 0)
        {
            return true;
        }

        string rest = body[(comma + 1)..].Trim();
        if (rest.Length < 2 || rest[0] != '\'' || rest[^1] != '\'')
        {
            return false;
        }

        defaultValue = rest[1..^1];
        return true;
    }
}
