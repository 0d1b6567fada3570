using System.Security.Cryptography;
using Keyhaven.Audit.Trail;
using Keyhaven.Storage.Records;

namespace Keyhaven.Audit.Digests;

/// <summary>
/// The key that signs digest records: ECDSA P-256 with SHA-256, made on first use and stored (PKCS#8) as a record
/// sealed by the barrier, so it is only ever in memory unsealed. Thread-safe.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    public const string Algorithm = "ECDSA_P256_SHA256";
    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key) => _key = key;

    /// <summary>The public key (SubjectPublicKeyInfo, DER), for verifying digests without the store.</summary>
    public byte[] PublicKey => _key.ExportSubjectPublicKeyInfo();

    /// <summary>Loads the signing key, creating and storing it on first use.</summary>
    public static async Task<AuditSigningKey> LoadOrCreateAsync(RecordStore store, CancellationToken cancellationToken)
    {
        if (await LoadAsync(store, cancellationToken) is { } existing)
        {
            return existing;
        }

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = created.ExportPkcs8PrivateKey();
        try
        {
            await store.WriteAsync(async transaction =>
            {
                // A concurrent first start may have stored one already: keep that one.
                if (await transaction.GetAsync(AuditRecords.SigningKey, cancellationToken) is null)
                {
                    await transaction.PutAsync(AuditRecords.SigningKey, 0, pkcs8, cancellationToken);
                }

                return true;
            }, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
            created.Dispose();
        }

        return await LoadAsync(store, cancellationToken) ?? throw new InvalidOperationException("The audit signing key was stored but cannot be read back.");
    }

    /// <summary>Loads the stored signing key; null when there is none yet.</summary>
    public static async Task<AuditSigningKey?> LoadAsync(RecordStore store, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        var record = await transaction.GetAsync(AuditRecords.SigningKey, cancellationToken);
        if (record is null)
        {
            return null;
        }

        try
        {
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(record.Value, out _);
            return new AuditSigningKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(record.Value);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> payload) => _key.SignData(payload, HashAlgorithmName.SHA256);

    public bool Verify(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> signature) => _key.VerifyData(payload, signature, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
