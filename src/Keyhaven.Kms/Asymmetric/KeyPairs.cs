using System.Security.Cryptography;
using Keyhaven.Kms.Keys;
using Org.BouncyCastle.Crypto.Parameters;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>
/// Makes the private key of an asymmetric key spec and derives its public key. The private key is kept as
/// PKCS#8 DER (RSA, ECC, Ed25519) or, for ML-DSA, as the 32-byte seed ξ of FIPS 204; it lives only in a key
/// version's <see cref="KeyMaterialVersion.Material"/>, sealed at rest by the barrier. Thread-safe.
/// </summary>
internal static class KeyPairs
{
    /// <summary>A new private key for <paramref name="spec"/>, from the platform's generator.</summary>
    public static byte[] Generate(KeySpec spec)
    {
        if (KeySpecRules.IsRsa(spec))
        {
            using var rsa = RSA.Create(RsaBits(spec));
            return rsa.ExportPkcs8PrivateKey();
        }

        if (KeySpecRules.IsEllipticCurve(spec))
        {
            using var ec = ECDsa.Create(Curve(spec));
            return ec.ExportPkcs8PrivateKey();
        }

        return spec switch
        {
            KeySpec.EccNistEdwards25519 => BouncyCastleAdapter.GenerateEd25519Pkcs8(),
            _ when KeySpecRules.IsMlDsa(spec) => BouncyCastleAdapter.GenerateMlDsaSeed(),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "Not an asymmetric key spec."),
        };
    }

    /// <summary>The DER-encoded SubjectPublicKeyInfo (RFC 5280) of a private key.</summary>
    public static byte[] PublicKeyInfo(KeySpec spec, byte[] privateKey)
    {
        if (KeySpecRules.IsRsa(spec))
        {
            using var rsa = OpenRsa(privateKey);
            return rsa.ExportSubjectPublicKeyInfo();
        }

        if (KeySpecRules.IsEllipticCurve(spec))
        {
            using var ec = OpenEcdsa(privateKey);
            return ec.ExportSubjectPublicKeyInfo();
        }

        return spec == KeySpec.EccNistEdwards25519
            ? BouncyCastleAdapter.Ed25519PublicKeyInfo(privateKey)
            : BouncyCastleAdapter.MlDsaPublicKeyInfo(MlDsaParameters(spec), privateKey);
    }

    public static int RsaBits(KeySpec spec) => spec switch
    {
        KeySpec.Rsa2048 => 2048,
        KeySpec.Rsa3072 => 3072,
        _ => 4096,
    };

    /// <summary>The named curve of an ECC spec (secp256k1 by its OID: OpenSSL provides it, so .NET does too).</summary>
    public static ECCurve Curve(KeySpec spec) => spec switch
    {
        KeySpec.EccNistP256 => ECCurve.NamedCurves.nistP256,
        KeySpec.EccNistP384 => ECCurve.NamedCurves.nistP384,
        KeySpec.EccNistP521 => ECCurve.NamedCurves.nistP521,
        KeySpec.EccSecgP256K1 => ECCurve.CreateFromValue("1.3.132.0.10"),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "Not an ECC key spec."),
    };

    public static MLDsaParameters MlDsaParameters(KeySpec spec) => spec switch
    {
        KeySpec.MlDsa44 => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_44,
        KeySpec.MlDsa65 => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_65,
        KeySpec.MlDsa87 => Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_87,
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "Not an ML-DSA key spec."),
    };

    public static RSA OpenRsa(byte[] pkcs8)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return rsa;
    }

    public static ECDsa OpenEcdsa(byte[] pkcs8)
    {
        var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out _);
        return ec;
    }
}
