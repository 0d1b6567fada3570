using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Keyhaven.Encryption.Suites;

/// <summary>
/// The properties of one algorithm suite: AES-GCM key length, key derivation, key commitment and signature.
/// Every suite uses AES-GCM with a 12-byte IV and a 16-byte tag.
/// spec: framework/algorithm-suites.md#supported-algorithm-suites
/// </summary>
public sealed class AlgorithmSuite
{
    public const int IvLength = 12;
    public const int TagLength = 16;

    private AlgorithmSuite(AlgorithmSuiteId id, int keyBytes, HashAlgorithmName? kdf, ECCurve? curve, HashAlgorithmName signatureHash, bool committing)
    {
        Id = id;
        KeyLength = keyBytes;
        KdfHash = kdf;
        SignatureCurve = curve;
        SignatureHash = signatureHash;
        IsCommitting = committing;
    }

    public AlgorithmSuiteId Id { get; }

    /// <summary>Length in bytes of the data key and of the AES key (16, 24 or 32).</summary>
    public int KeyLength { get; }

    /// <summary>The HKDF hash, or null for the identity KDF (the data key is the AES key).</summary>
    public HashAlgorithmName? KdfHash { get; }

    /// <summary>The ECDSA curve of the message signature, or null for unsigned suites.</summary>
    public ECCurve? SignatureCurve { get; }

    /// <summary>The hash signed by ECDSA (meaningful only when <see cref="IsSigning"/>).</summary>
    public HashAlgorithmName SignatureHash { get; }

    /// <summary>True for suites with key commitment (message format version 2).</summary>
    public bool IsCommitting { get; }

    public bool IsSigning => SignatureCurve is not null;

    /// <summary>Message format version: 2 for committing suites, 1 otherwise.</summary>
    public byte MessageFormatVersion => IsCommitting ? (byte)2 : (byte)1;

    /// <summary>Length of the message id: 32 bytes in format 2, 16 in format 1.</summary>
    public int MessageIdLength => IsCommitting ? 32 : 16;

    /// <summary>Length of the commitment key stored in a format 2 header (suite data), else 0.</summary>
    public int CommitmentLength => IsCommitting ? 32 : 0;

    public static AlgorithmSuite AesGcm128NoKdf { get; } = new(AlgorithmSuiteId.AesGcm128NoKdf, 16, null, null, default, false);
    public static AlgorithmSuite AesGcm192NoKdf { get; } = new(AlgorithmSuiteId.AesGcm192NoKdf, 24, null, null, default, false);
    public static AlgorithmSuite AesGcm256NoKdf { get; } = new(AlgorithmSuiteId.AesGcm256NoKdf, 32, null, null, default, false);
    public static AlgorithmSuite AesGcm128HkdfSha256 { get; } = new(AlgorithmSuiteId.AesGcm128HkdfSha256, 16, HashAlgorithmName.SHA256, null, default, false);
    public static AlgorithmSuite AesGcm192HkdfSha256 { get; } = new(AlgorithmSuiteId.AesGcm192HkdfSha256, 24, HashAlgorithmName.SHA256, null, default, false);
    public static AlgorithmSuite AesGcm256HkdfSha256 { get; } = new(AlgorithmSuiteId.AesGcm256HkdfSha256, 32, HashAlgorithmName.SHA256, null, default, false);
    public static AlgorithmSuite AesGcm128HkdfSha256EcdsaP256 { get; } = new(AlgorithmSuiteId.AesGcm128HkdfSha256EcdsaP256, 16, HashAlgorithmName.SHA256, ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, false);
    public static AlgorithmSuite AesGcm192HkdfSha384EcdsaP384 { get; } = new(AlgorithmSuiteId.AesGcm192HkdfSha384EcdsaP384, 24, HashAlgorithmName.SHA384, ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, false);
    public static AlgorithmSuite AesGcm256HkdfSha384EcdsaP384 { get; } = new(AlgorithmSuiteId.AesGcm256HkdfSha384EcdsaP384, 32, HashAlgorithmName.SHA384, ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, false);
    public static AlgorithmSuite AesGcm256HkdfSha512Commit { get; } = new(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, 32, HashAlgorithmName.SHA512, null, default, true);
    public static AlgorithmSuite AesGcm256HkdfSha512CommitEcdsaP384 { get; } = new(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, 32, HashAlgorithmName.SHA512, ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, true);

    /// <summary>All eleven suites, in id order.</summary>
    public static IReadOnlyList<AlgorithmSuite> All { get; } =
    [
        AesGcm128NoKdf, AesGcm192NoKdf, AesGcm256NoKdf,
        AesGcm128HkdfSha256, AesGcm192HkdfSha256, AesGcm256HkdfSha256,
        AesGcm128HkdfSha256EcdsaP256, AesGcm192HkdfSha384EcdsaP384, AesGcm256HkdfSha384EcdsaP384,
        AesGcm256HkdfSha512Commit, AesGcm256HkdfSha512CommitEcdsaP384,
    ];

    /// <summary>The suite with the given wire id, if it is one of the eleven.</summary>
    public static bool TryFromId(ushort id, [NotNullWhen(true)] out AlgorithmSuite? suite)
    {
        foreach (var candidate in All)
        {
            if ((ushort)candidate.Id == id)
            {
                suite = candidate;
                return true;
            }
        }

        suite = null;
        return false;
    }

    /// <summary>The suite with the given id; throws <see cref="ArgumentOutOfRangeException"/> for an unknown id.</summary>
    public static AlgorithmSuite FromId(AlgorithmSuiteId id) =>
        TryFromId((ushort)id, out var suite) ? suite : throw new ArgumentOutOfRangeException(nameof(id), $"`0x{(ushort)id:X4}` is not an algorithm suite of the AWS Encryption SDK.");

    /// <summary>The default suite for encryption under a policy: 0x0578 when committing, else 0x0378.</summary>
    public static AlgorithmSuite DefaultFor(CommitmentPolicy policy) =>
        policy == CommitmentPolicy.ForbidEncryptAllowDecrypt ? AesGcm256HkdfSha384EcdsaP384 : AesGcm256HkdfSha512CommitEcdsaP384;

    /// <summary>Whether the policy allows encrypting with this suite.</summary>
    public bool AllowsEncrypt(CommitmentPolicy policy) =>
        policy == CommitmentPolicy.ForbidEncryptAllowDecrypt ? !IsCommitting : IsCommitting;

    /// <summary>Whether the policy allows decrypting this suite.</summary>
    public bool AllowsDecrypt(CommitmentPolicy policy) =>
        policy != CommitmentPolicy.RequireEncryptRequireDecrypt || IsCommitting;

    public override string ToString() => $"0x{(ushort)Id:X4}";
}
