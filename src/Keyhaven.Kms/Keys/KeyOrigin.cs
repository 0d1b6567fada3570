namespace Keyhaven.Kms.Keys;

/// <summary>Where a key's material came from.</summary>
public enum KeyOrigin
{
    AwsKms,
}
