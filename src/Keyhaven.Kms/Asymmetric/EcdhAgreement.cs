using System.Security.Cryptography;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>ECDH (SP 800-56A §5.7.1.2) between a KEY_AGREEMENT key and a peer's public key. Thread-safe.</summary>
internal static class EcdhAgreement
{
    /// <summary>
    /// The raw shared secret (the x-coordinate of the shared point), or null when <paramref name="peerPublicKeyInfo"/>
    /// is not a SubjectPublicKeyInfo of a point on the key's curve.
    /// </summary>
    public static byte[]? TryDerive(KeySpec spec, byte[] privateKey, byte[] peerPublicKeyInfo)
    {
        using var own = ECDiffieHellman.Create();
        own.ImportPkcs8PrivateKey(privateKey, out _);
        using var peer = ECDiffieHellman.Create();
        try
        {
            peer.ImportSubjectPublicKeyInfo(peerPublicKeyInfo, out var read);
            if (read != peerPublicKeyInfo.Length || !SameCurve(peer.ExportParameters(false).Curve, KeyPairs.Curve(spec)))
            {
                return null;
            }

            return own.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool SameCurve(ECCurve a, ECCurve b) =>
        a.IsNamed && b.IsNamed && (a.Oid.Value is { } oid ? oid == b.Oid.Value : a.Oid.FriendlyName == b.Oid.FriendlyName);
}
