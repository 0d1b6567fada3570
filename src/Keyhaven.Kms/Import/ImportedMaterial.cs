using System.Security.Cryptography;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Import;

/// <summary>Rules for imported key material: what each key spec accepts, its MaterialId, and when it has expired.</summary>
public static class ImportedMaterial
{
    private static readonly byte[] MaterialIdLabel = "keyhaven/kms/imported-material-id/v1"u8.ToArray();

    /// <summary>
    /// The material as Keyhaven keeps it, or null when it does not fit the key spec: 32 bytes for SYMMETRIC_DEFAULT;
    /// for HMAC keys 28–64 (HMAC_224), 32–64 (HMAC_256), 48–128 (HMAC_384) or 64–128 (HMAC_512) bytes; for asymmetric
    /// keys a PKCS#8 private key of the spec's type and size, re-encoded by the platform.
    /// </summary>
    internal static byte[]? TryNormalize(KeySpec spec, byte[] material)
    {
        var (min, max) = spec switch
        {
            KeySpec.SymmetricDefault => (32, 32),
            KeySpec.Hmac224 => (28, 64),
            KeySpec.Hmac256 => (32, 64),
            KeySpec.Hmac384 => (48, 128),
            KeySpec.Hmac512 => (64, 128),
            _ => (0, 0),
        };
        if (max > 0)
        {
            return material.Length >= min && material.Length <= max ? (byte[])material.Clone() : null;
        }

        try
        {
            if (KeySpecRules.IsRsa(spec))
            {
                using var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(material, out var read);
                return read == material.Length && rsa.KeySize == KeyPairs.RsaBits(spec) ? rsa.ExportPkcs8PrivateKey() : null;
            }

            if (KeySpecRules.IsEllipticCurve(spec))
            {
                using var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(material, out var read);
                return read == material.Length && ec.ExportParameters(false).Curve.Oid.Value == KeyPairs.Curve(spec).Oid.Value ? ec.ExportPkcs8PrivateKey() : null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        return spec == KeySpec.EccNistEdwards25519 ? BouncyCastleAdapter.TryNormalizeEd25519Pkcs8(material) : null;
    }

    /// <summary>
    /// The KeyMaterialId of imported material: HMAC-SHA256 keyed with the material itself over a fixed label, in hex.
    /// It identifies the material (re-imports must match it) without revealing anything about it.
    /// </summary>
    internal static string MaterialId(byte[] material) => Convert.ToHexStringLower(HMACSHA256.HashData(material, MaterialIdLabel));

    /// <summary>The key as it stands at <paramref name="now"/>: once imported material has expired the key is PendingImport and has none.</summary>
    public static KmsKey AsOf(KmsKey key, DateTimeOffset now) =>
        key.ValidTo is { } validTo && validTo <= now && key.Versions.Length > 0 ? Expire(key) : key;

    /// <summary>The key without its material: PendingImport (unless it is pending deletion, which wins).</summary>
    internal static KmsKey Expire(KmsKey key) => key with
    {
        State = key.State is KeyState.PendingDeletion or KeyState.PendingReplicaDeletion ? key.State : KeyState.PendingImport,
        Versions = [],
        ValidTo = null,
    };
}
