namespace Keyhaven.Policy.Simulation;

/// <summary>What <c>keyhaven policy simulate</c> prints and returns.</summary>
/// <param name="ExitCode">0 whatever the decision; 2 when the case could not be read.</param>
/// <param name="Json">The JSON document to print (the decision, or <c>{"error": ...}</c>).</param>
public sealed record SimulationOutput(int ExitCode, string Json);
