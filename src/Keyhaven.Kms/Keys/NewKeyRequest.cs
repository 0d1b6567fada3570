namespace Keyhaven.Kms.Keys;

/// <summary>What CreateKey asks for; null members take AWS's defaults. The protocol layer has checked that <see cref="Usage"/> fits <see cref="Spec"/>.</summary>
public sealed record NewKeyRequest(string? Description, string? Policy, IReadOnlyList<KeyTag>? Tags)
{
    public KeySpec Spec { get; init; } = KeySpec.SymmetricDefault;
    public KeyUsage Usage { get; init; } = KeyUsage.EncryptDecrypt;

    /// <summary>EXTERNAL keys start PendingImport, without material.</summary>
    public KeyOrigin Origin { get; init; } = KeyOrigin.AwsKms;

    /// <summary>True: a multi-Region primary key (<c>mrk-</c> id) that <see cref="MultiRegion.MultiRegionKeyManager"/> can replicate.</summary>
    public bool MultiRegion { get; init; }
}
