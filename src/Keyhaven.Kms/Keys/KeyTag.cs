namespace Keyhaven.Kms.Keys;

/// <summary>A tag on a key.</summary>
public sealed record KeyTag(string Key, string Value);
