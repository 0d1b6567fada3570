using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Keyhaven.Policy.Documents;

namespace Keyhaven.Policy.Compilation;

/// <summary>
/// Compiles each distinct policy text once, keyed by the SHA-256 of the text. Bounded: when
/// <see cref="Capacity"/> entries are reached the cache is emptied (policies change rarely; a refill is cheap).
/// Invalid documents are not cached.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class CompiledPolicyCache
{
    private readonly ConcurrentDictionary<string, CompiledPolicy> _entries = new(StringComparer.Ordinal);
    private readonly PolicyLimits? _limits;

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> compiled policies, compiled under <paramref name="limits"/> (default <see cref="PolicyLimits.Default"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not in 1..1,000,000.</exception>
    public CompiledPolicyCache(int capacity = 10_000, PolicyLimits? limits = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1_000_000);
        Capacity = capacity;
        _limits = limits;
    }

    /// <summary>The maximum number of entries.</summary>
    public int Capacity { get; }

    /// <summary>The number of cached policies.</summary>
    public int Count => _entries.Count;

    /// <summary>Returns the compiled form of <paramref name="json"/>, compiling it on first use.</summary>
    /// <returns><see langword="false"/> with the errors when the document is invalid.</returns>
    public bool TryGetOrCompile(string json, string name, [NotNullWhen(true)] out CompiledPolicy? policy, out IReadOnlyList<PolicyParseError> errors)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(name);
        string hash = CompiledPolicy.Hash(json);
        if (_entries.TryGetValue(hash, out var cached))
        {
            policy = cached.WithName(name);
            errors = [];
            return true;
        }

        if (!PolicyCompiler.TryCompile(json, name, out policy, out errors, _limits))
        {
            return false;
        }

        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries.TryAdd(hash, policy);
        return true;
    }
}
