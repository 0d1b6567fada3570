using System.Numerics;
using System.Security.Cryptography;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Crypto;

/// <summary>
/// ECDSA keys of signed suites and their wire form: the public key travels in the encryption context under
/// <c>aws-crypto-public-key</c> as the base64 of the SEC 1 compressed point.
/// spec: framework/transitive-requirements.md#ecdsa
/// </summary>
internal static class SignatureKeys
{
    /// <summary>The object identifier of NIST P-256 (secp256r1), the curve of suite 0x0214.</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The object identifier of NIST P-384 (secp384r1), the curve of the other signed suites.</summary>
    public const string P384Oid = "1.3.132.0.34";

    /// <summary>A fresh signing key for one message (through OpenSSL directly where available; see <see cref="OpenSslEcKeyGenerator"/>).</summary>
    public static ECDsa Generate(AlgorithmSuite suite)
    {
        var curve = suite.SignatureCurve!.Value;
        return OpenSslEcKeyGenerator.TryGenerate(curve) ?? ECDsa.Create(curve);
    }

    /// <summary>
    /// An independent copy of <paramref name="key"/> (the private scalar too when asked), which the caller disposes on
    /// its own. An OpenSSL key with its private part is shared by reference (OpenSSL counts the references and never
    /// changes a generated key), which spares the re-import and key check that otherwise cost more than a signature;
    /// any other key is exported and imported, and the exported scalar is zeroed.
    /// </summary>
    public static ECDsa Copy(ECDsa key, bool includePrivate)
    {
        if (includePrivate && OperatingSystem.IsLinux() && key is ECDsaOpenSsl openSsl)
        {
            using var handle = openSsl.DuplicateKeyHandle();
            return new ECDsaOpenSsl(handle);
        }

        var parameters = key.ExportParameters(includePrivate);
        try
        {
            return ECDsa.Create(parameters);
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }
    }

    /// <summary>base64(0x02|0x03 || X), the compressed public point.</summary>
    public static string ToCompressedBase64(ECDsa key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var compressed = new byte[1 + q.X!.Length];
        compressed[0] = (byte)(0x02 | (q.Y![^1] & 1));
        q.X.CopyTo(compressed, 1);
        return Convert.ToBase64String(compressed);
    }

    /// <summary>The verification key from its encryption-context value; throws when it is not a point of the suite's curve.</summary>
    public static ECDsa FromCompressedBase64(AlgorithmSuite suite, string value)
    {
        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw Malformed();
        }

        var (p, b, fieldLength) = suite.SignatureCurve!.Value.Oid.Value switch
        {
            P256Oid => (P256, B256, 32),
            P384Oid => (P384, B384, 48),
            _ => throw Malformed(),
        };
        if (compressed.Length != 1 + fieldLength || compressed[0] is not (0x02 or 0x03))
        {
            throw Malformed();
        }

        var x = new BigInteger(compressed.AsSpan(1), isUnsigned: true, isBigEndian: true);
        if (x >= p)
        {
            throw Malformed();
        }

        // y^2 = x^3 - 3x + b (mod p); both primes are 3 mod 4, so a root is rhs^((p+1)/4).
        var rhs = BigInteger.ModPow(x, 3, p) - (3 * x) + b;
        rhs = ((rhs % p) + p) % p;
        var y = BigInteger.ModPow(rhs, (p + 1) / 4, p);
        if (BigInteger.ModPow(y, 2, p) != rhs)
        {
            throw Malformed();
        }

        if ((int)(y & 1) != (compressed[0] & 1))
        {
            y = p - y;
        }

        var parameters = new ECParameters
        {
            Curve = suite.SignatureCurve.Value,
            Q = new ECPoint { X = compressed[1..], Y = ToFixed(y, fieldLength) },
        };
        try
        {
            return ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            throw Malformed();
        }
    }

    private static byte[] ToFixed(BigInteger value, int length)
    {
        var bytes = new byte[length];
        value.TryWriteBytes(bytes.AsSpan(length - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    private static EncryptionSdkException Malformed() =>
        new(EncryptionSdkErrorReason.MalformedMessage, "The `aws-crypto-public-key` in the encryption context is not a compressed point of the suite's curve.");

    private static readonly BigInteger P256 = BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger B256 = BigInteger.Parse("05AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger P384 = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger B384 = BigInteger.Parse("0B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF", System.Globalization.NumberStyles.HexNumber);
}
