namespace Keyhaven.Attestation.Tests;

/// <summary>A clock that always says <paramref name="now"/>.</summary>
public sealed class PinnedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
