namespace Keyhaven.Kms.Keys;

/// <summary>How a key version came to be: the first material, a scheduled rotation, or one asked for.</summary>
public enum RotationType
{
    Initial,
    Automatic,
    OnDemand,
}
