namespace Keyhaven.Kms.Keys;

/// <summary>Where a key's material came from: made by Keyhaven, or imported by the customer (GetParametersForImport, ImportKeyMaterial).</summary>
public enum KeyOrigin
{
    AwsKms,
    External,
}
