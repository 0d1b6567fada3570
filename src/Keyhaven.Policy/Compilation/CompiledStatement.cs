using System.Diagnostics;
using Keyhaven.Policy.Conditions;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Policy.Matching;

namespace Keyhaven.Policy.Compilation;

/// <summary>A statement in evaluable form: patterns and conditions pre-parsed.</summary>
internal sealed class CompiledStatement
{
    private readonly PrincipalMatcher? _principal;
    private readonly bool _notPrincipal;
    private readonly Pattern[] _actions;
    private readonly bool _notAction;
    private readonly ResourcePattern[]? _resources;
    private readonly bool _notResource;
    private readonly bool _resourceVariables;
    private readonly CompiledCondition[] _conditions;

    public CompiledStatement(PolicyStatement statement, int index, bool variables)
    {
        Index = index;
        Sid = statement.Sid;
        Effect = statement.Effect;
        if (statement.Principal is not null)
        {
            _principal = new PrincipalMatcher(statement.Principal);
        }
        else if (statement.NotPrincipal is not null)
        {
            _principal = new PrincipalMatcher(statement.NotPrincipal);
            _notPrincipal = true;
        }

        _notAction = statement.NotAction is not null;
        var actions = statement.Action ?? statement.NotAction ?? ValueList<string>.Empty;
        _actions = actions.Select(a => Compile(a, PatternSyntax.Wildcards | PatternSyntax.IgnoreCase)).ToArray();

        _notResource = statement.NotResource is not null;
        var resources = statement.Resource ?? statement.NotResource;
        _resources = resources?.Select(r => ResourcePattern.TryCompile(r, variables, out var p, out var e)
            ? p : throw new ArgumentException($"Resource `{r}`: {e}", nameof(statement))).ToArray();
        _resourceVariables = _resources?.Any(r => r.HasVariables) ?? false;

        _conditions = statement.Conditions.Select(c => CompiledCondition.TryCompile(c, variables, out var cc, out _, out var m)
            ? cc : throw new ArgumentException(m, nameof(statement))).ToArray();
    }

    public int Index { get; }

    public string? Sid { get; }

    public PolicyEffect Effect { get; }

    public bool HasPrincipal => _principal is not null;

    private static Pattern Compile(string text, PatternSyntax syntax) =>
        PatternCompiler.TryCompile(text, syntax, out var p, out var e) ? p : throw new ArgumentException(e);

    /// <summary>
    /// Matches the statement against the request. <paramref name="checkPrincipal"/> is set for resource-based layers
    /// (resource, endpoint and resource-control policies); identity-based layers ignore the principal element.
    /// <paramref name="bindings"/> are the unique ids the policy's user and role ARNs were bound to when it was saved.
    /// </summary>
    /// <returns>True/False, Error (a condition could not be evaluated) or Unresolved (a policy variable had no value).</returns>
    public MatchResult Match(AuthorizationRequest request, bool checkPrincipal, PrincipalBindings bindings, out PrincipalMatch principalMatch)
    {
        principalMatch = PrincipalMatch.None;
        if (!MatchesAction(request.Action))
        {
            return MatchResult.False;
        }

        if (_resources is not null)
        {
            // docs/policy-engine.md#policy-variables: a variable without a value makes the statement not apply, whichever
            // entry holds it; checked before matching so that an entry matching first does not hide it.
            if (_resourceVariables && !ResourcePattern.AllResolve(_resources, request))
            {
                return MatchResult.Unresolved;
            }

            bool unresolved = false;
            bool any = false;
            foreach (var r in _resources)
            {
                if (r.Match(request.Resource.Arn, request, ref unresolved))
                {
                    any = true;
                    break;
                }
            }

            Debug.Assert(!unresolved, "every variable resolved above");

            if (any == _notResource)
            {
                return MatchResult.False;
            }
        }

        if (checkPrincipal)
        {
            if (_principal is null)
            {
                // A resource-based statement without a principal is malformed: it allows nobody and, failing closed, denies everybody.
                principalMatch = Effect == PolicyEffect.Deny ? PrincipalMatch.Wildcard : PrincipalMatch.None;
            }
            else
            {
                var m = _principal.Match(request.Principal, bindings);
                if (_notPrincipal)
                {
                    // spec: reference_policies_elements_notprincipal.html — listing an account in NotPrincipal exempts the
                    // account principal itself, not every principal in the account.
                    m = m == PrincipalMatch.Account ? PrincipalMatch.None : m;
                    principalMatch = m == PrincipalMatch.None ? PrincipalMatch.Wildcard : PrincipalMatch.None;
                }
                else
                {
                    principalMatch = m;
                }
            }

            if (principalMatch == PrincipalMatch.None)
            {
                return MatchResult.False;
            }
        }

        var result = MatchResult.True;
        foreach (var condition in _conditions)
        {
            var r = condition.Evaluate(request);
            if (r is MatchResult.False or MatchResult.Unresolved)
            {
                return r;
            }

            if (r == MatchResult.Error)
            {
                result = MatchResult.Error;
            }
        }

        Debug.Assert(result is MatchResult.True or MatchResult.Error);
        return result;
    }

    private bool MatchesAction(string action)
    {
        bool unresolved = false;
        foreach (var a in _actions)
        {
            if (a.Match(action, null, ref unresolved))
            {
                return !_notAction;
            }
        }

        return _notAction;
    }
}
