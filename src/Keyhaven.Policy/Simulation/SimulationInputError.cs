namespace Keyhaven.Policy.Simulation;

/// <summary>Why a simulation case file could not be read.</summary>
/// <param name="Path">JSON path of the offending element.</param>
/// <param name="Message">One sentence; user input in backticks.</param>
public sealed record SimulationInputError(string Path, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Message}";
}
