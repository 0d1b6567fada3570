using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Keyhaven.Kms.Asymmetric;

/// <summary>
/// The only place Keyhaven calls BouncyCastle: the algorithms .NET lacks on this platform. Ed25519 (RFC 8032; .NET has
/// none), ML-DSA (FIPS 204; .NET's <c>MLDsa</c> needs OpenSSL 3.5) and HMAC-SHA-224 (.NET has no SHA-224).
/// Everything else uses System.Security.Cryptography. Thread-safe: every call builds its own engine.
/// </summary>
internal static class BouncyCastleAdapter
{
    private static readonly byte[] EmptyContext = [];

    // The platform's generator (RandomNumberGenerator, thread-safe) behind BouncyCastle's interface: one for all calls
    // instead of a new digest-based generator seeded per signature.
    private static readonly SecureRandom SharedRandom = new(new Org.BouncyCastle.Crypto.Prng.CryptoApiRandomGenerator());

    /// <summary>A fresh Ed25519 private key as PKCS#8 v1 (RFC 8410 §7: the 32-byte seed, no public key), as OpenSSL writes it.</summary>
    public static byte[] GenerateEd25519Pkcs8()
    {
        var seed = RandomNumberGenerator.GetBytes(Ed25519PrivateKeyParameters.KeySize);
        try
        {
            return new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed)).GetEncoded();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>An imported Ed25519 PKCS#8 key re-encoded in Keyhaven's form, or null when it is not one.</summary>
    public static byte[]? TryNormalizeEd25519Pkcs8(byte[] pkcs8)
    {
        try
        {
            if (PrivateKeyFactory.CreateKey(pkcs8) is not Ed25519PrivateKeyParameters key)
            {
                return null;
            }

            var seed = key.GetEncoded();
            try
            {
                return new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed)).GetEncoded();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException or InvalidCastException)
        {
            return null;
        }
    }

    public static byte[] Ed25519PublicKeyInfo(byte[] pkcs8) =>
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(ParsedKeyCache.GetShared(pkcs8, Ed25519Private).GeneratePublicKey()).GetEncoded();

    /// <summary>Pure Ed25519 (<paramref name="prehash"/> false) or Ed25519ph, which hashes the message with SHA-512 first (RFC 8032 §5.1).</summary>
    public static byte[] SignEd25519(byte[] pkcs8, ReadOnlySpan<byte> message, bool prehash)
    {
        var key = ParsedKeyCache.GetShared(pkcs8, Ed25519Private);
        Org.BouncyCastle.Crypto.ISigner signer = prehash ? new Ed25519phSigner(EmptyContext) : new Ed25519Signer();
        signer.Init(true, key);
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public static bool VerifyEd25519(byte[] pkcs8, ReadOnlySpan<byte> message, byte[] signature, bool prehash)
    {
        var key = ParsedKeyCache.GetShared(pkcs8, Ed25519Private).GeneratePublicKey(); // BouncyCastle keeps the public key once made
        Org.BouncyCastle.Crypto.ISigner verifier = prehash ? new Ed25519phSigner(EmptyContext) : new Ed25519Signer();
        verifier.Init(false, key);
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature);
    }

    /// <summary>A fresh ML-DSA private key: its 32-byte seed ξ (FIPS 204 §6.1), from which the whole key is derived.</summary>
    public static byte[] GenerateMlDsaSeed() => RandomNumberGenerator.GetBytes(32);

    public static byte[] MlDsaPublicKeyInfo(MLDsaParameters parameters, byte[] seed) =>
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(MlDsaPrivate(parameters, seed).GetPublicKey()).GetEncoded();

    /// <summary>ML-DSA.Sign with an empty context (FIPS 204 Algorithm 2), hedged with fresh randomness.</summary>
    public static byte[] SignMlDsa(MLDsaParameters parameters, byte[] seed, ReadOnlySpan<byte> message)
    {
        var signer = new MLDsaSigner(parameters, deterministic: false);
        signer.Init(true, new ParametersWithRandom(MlDsaPrivate(parameters, seed), SharedRandom));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public static bool VerifyMlDsa(MLDsaParameters parameters, byte[] seed, ReadOnlySpan<byte> message, byte[] signature)
    {
        var verifier = new MLDsaSigner(parameters, deterministic: false);
        verifier.Init(false, MlDsaPrivate(parameters, seed).GetPublicKey());
        verifier.BlockUpdate(message);
        return verifier.VerifySignature(signature);
    }

    public static byte[] HmacSha224(byte[] key, ReadOnlySpan<byte> message)
    {
        var mac = new HMac(new Sha224Digest());
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(message);
        var result = new byte[mac.GetMacSize()];
        mac.DoFinal(result, 0);
        return result;
    }

    /// <summary>
    /// The private key expanded from its seed (FIPS 204 Algorithm 6: the matrix and vectors), once per material
    /// (<see cref="ParsedKeyCache"/>). INVARIANT: a seed belongs to one key spec, so the cached parameters always match.
    /// </summary>
    private static MLDsaPrivateKeyParameters MlDsaPrivate(MLDsaParameters parameters, byte[] seed)
    {
        var key = ParsedKeyCache.GetShared(seed, s => MLDsaPrivateKeyParameters.FromSeed(parameters, s));
        System.Diagnostics.Debug.Assert(key.Parameters == parameters);
        return key;
    }

    private static Ed25519PrivateKeyParameters Ed25519Private(byte[] pkcs8) =>
        PrivateKeyFactory.CreateKey(pkcs8) as Ed25519PrivateKeyParameters
        ?? throw new CryptographicException("Stored Ed25519 material is not an Ed25519 private key.");
}
