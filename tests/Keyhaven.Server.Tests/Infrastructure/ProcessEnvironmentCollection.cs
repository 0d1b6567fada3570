namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// Tests that set process-wide environment variables (the AWS SDK's credential providers read them) run in this
/// collection, alone: xUnit runs a collection that disables parallelization after all others, one test at a time.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

/// <summary>Sets environment variables for a test and restores the previous values on dispose.</summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _previous = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset(); // the SDK caches what it read from the environment
    }
}
