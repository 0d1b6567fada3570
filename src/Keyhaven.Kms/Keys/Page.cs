namespace Keyhaven.Kms.Keys;

/// <summary>One page of a listing and the marker for the next one (null when this is the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextMarker)
{
    public bool Truncated => NextMarker is not null;
}
