namespace Keyhaven.Kms.Keys;

/// <summary>
/// One generation of a key's material. Ciphertexts name the <see cref="Ordinal"/> that made them, and every version
/// ever created keeps decrypting. <see cref="Material"/> is secret: never logged, serialized only through the barrier.
/// </summary>
/// <param name="Ordinal">1 for the first material, then one more per rotation.</param>
/// <param name="MaterialId">The KeyMaterialId shown by the API: 64 lowercase hex digits.</param>
public sealed record KeyMaterialVersion(uint Ordinal, string MaterialId, DateTimeOffset CreatedAt, RotationType RotationType, byte[] Material);
