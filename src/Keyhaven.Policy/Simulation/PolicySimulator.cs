using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Policy.Simulation;

/// <summary>Runs simulation cases and renders the result as JSON (the logic behind <c>keyhaven policy simulate</c>).</summary>
/// <remarks>Pure and thread-safe; never throws on any input text.</remarks>
public static class PolicySimulator
{
    /// <summary>Exit code when the case cannot be read.</summary>
    public const int InvalidInputExitCode = 2;

    /// <summary>Parses <paramref name="caseJson"/>, decides it and renders <c>{"result": ..., ...}</c>.</summary>
    /// <param name="caseJson">The case file text.</param>
    /// <param name="explain">Also list every statement evaluated.</param>
    public static SimulationOutput Simulate(string? caseJson, bool explain)
    {
        if (!SimulationCase.TryParse(caseJson, out var simulationCase, out var error))
        {
            return new SimulationOutput(InvalidInputExitCode, Render(w =>
            {
                w.WriteString("error", error.Message);
                w.WriteString("path", error.Path);
            }));
        }

        return new SimulationOutput(0, Render(simulationCase, explain));
    }

    /// <summary>Decides a parsed case and renders it.</summary>
    public static string Render(SimulationCase simulationCase, bool explain)
    {
        ArgumentNullException.ThrowIfNull(simulationCase);
        var explanation = PolicyEvaluator.Explain(simulationCase.Request, simulationCase.Policies);
        var d = explanation.Decision;
        return Render(w =>
        {
            w.WriteString("result", d.Outcome.ToString());
            w.WriteString("decidingLayer", d.Layer.ToString());
            if (d.Statement is { } s)
            {
                w.WritePropertyName("statement");
                WriteReference(w, s);
            }

            w.WriteString("message", explanation.Message);
            if (explain)
            {
                w.WriteStartArray("statements");
                foreach (var e in explanation.Statements)
                {
                    w.WriteStartObject();
                    w.WriteString("layer", e.Layer.ToString());
                    w.WriteString("policy", e.Statement.PolicyName);
                    if (e.Statement.OrgIdentifier is not null)
                    {
                        w.WriteString("orgIdentifier", e.Statement.OrgIdentifier);
                    }

                    if (e.Statement.Sid is not null)
                    {
                        w.WriteString("sid", e.Statement.Sid);
                    }

                    w.WriteNumber("index", e.Statement.Index);
                    w.WriteString("effect", e.Effect.ToString());
                    w.WriteString("outcome", e.Outcome.ToString());
                    w.WriteBoolean("applies", e.Applies);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }
        });
    }

    private static void WriteReference(Utf8JsonWriter w, StatementReference s)
    {
        w.WriteStartObject();
        if (s.PolicyName.Length > 0)
        {
            w.WriteString("policy", s.PolicyName);
        }

        if (s.OrgIdentifier is not null)
        {
            w.WriteString("orgIdentifier", s.OrgIdentifier);
        }

        if (s.Sid is not null)
        {
            w.WriteString("sid", s.Sid);
        }

        if (s.Index >= 0)
        {
            w.WriteNumber("index", s.Index);
        }

        w.WriteEndObject();
    }

    private static string Render(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
