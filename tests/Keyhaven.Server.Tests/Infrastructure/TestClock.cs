namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>The real clock moved by an offset the test controls, so days can pass in a test while requests stay signable.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
