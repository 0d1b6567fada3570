using FsCheck.Xunit;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Tests.Properties;

/// <summary>Invariants of the language and the evaluation logic, over seeded random policies (FsCheck supplies the seeds).</summary>
public class PolicyPropertyTests
{
    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — "an explicit deny overrides any allow":
    // adding a Deny statement anywhere never turns a denied request into an allowed one.
    [Property(MaxTest = 400)]
    public bool Adding_a_deny_never_turns_deny_into_allow(int seed)
    {
        var g = new RandomPolicies(seed);
        var docs = g.DocumentSet();
        var request = g.Request();
        var before = PolicyEvaluator.Evaluate(request, RandomPolicies.Compile(docs));
        string target = docs.Keys.ElementAt(g.Next(docs.Count));
        var doc = docs[target];
        var deny = g.Statement(resourceBased: target is "resource" or "endpoint", PolicyEffect.Deny);
        docs[target] = doc with { Statements = new(doc.Statements.Append(deny)) };
        var after = PolicyEvaluator.Evaluate(request, RandomPolicies.Compile(docs));
        return before.IsAllowed || !after.IsAllowed;
    }

    // spec: reference_policies_evaluation-logic_policy-eval-denyallow.html — requests are denied unless allowed:
    // removing an Allow statement never turns a denied request into an allowed one.
    [Property(MaxTest = 400)]
    public bool Removing_an_allow_never_turns_deny_into_allow(int seed)
    {
        var g = new RandomPolicies(seed);
        var docs = g.DocumentSet();
        var request = g.Request();
        var before = PolicyEvaluator.Evaluate(request, RandomPolicies.Compile(docs));
        string target = docs.Keys.ElementAt(g.Next(docs.Count));
        var doc = docs[target];
        var allows = doc.Statements.Select((s, i) => (s, i)).Where(x => x.s.Effect == PolicyEffect.Allow).ToList();
        if (allows.Count == 0)
        {
            return true;
        }

        int remove = allows[g.Next(allows.Count)].i;
        docs[target] = doc with { Statements = new(doc.Statements.Where((_, i) => i != remove)) };
        var after = PolicyEvaluator.Evaluate(request, RandomPolicies.Compile(docs));
        return before.IsAllowed || !after.IsAllowed;
    }

    // spec: reference_policies_grammar.html — printing is faithful: parse(print(p)) == p.
    [Property(MaxTest = 500)]
    public bool Parse_of_print_is_identity(int seed)
    {
        var g = new RandomPolicies(seed);
        var doc = g.Document(resourceBased: g.Chance(50), oddStrings: true, maxStatements: 6);
        var reparsed = PolicyParser.Parse(PolicyWriter.Write(doc, indented: g.Chance(50)));
        return reparsed.IsSuccess && reparsed.Document == doc;
    }

    // Explain agrees with Evaluate, and an explicit deny always names a Deny statement that applies.
    [Property(MaxTest = 300)]
    public bool Explain_agrees_with_Evaluate(int seed)
    {
        var g = new RandomPolicies(seed);
        var set = RandomPolicies.Compile(g.DocumentSet());
        var request = g.Request();
        var decision = PolicyEvaluator.Evaluate(request, set);
        var explanation = PolicyEvaluator.Explain(request, set);
        if (explanation.Decision != decision)
        {
            return false;
        }

        return decision.Outcome != DecisionOutcome.ExplicitlyDenied
            || explanation.Statements.Any(s => s.Effect == PolicyEffect.Deny && s.Applies && s.Statement == decision.Statement);
    }
}
