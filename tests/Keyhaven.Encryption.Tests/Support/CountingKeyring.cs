using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Tests.Support;

/// <summary>A real keyring that counts how often it is asked to wrap or unwrap (to see what a cache saved).</summary>
internal sealed class CountingKeyring(IKeyring inner) : IKeyring
{
    private int _encrypts;
    private int _decrypts;

    public int Encrypts => Volatile.Read(ref _encrypts);

    public int Decrypts => Volatile.Read(ref _decrypts);

    public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _encrypts);
        return inner.OnEncryptAsync(materials, cancellationToken);
    }

    public ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _decrypts);
        return inner.OnDecryptAsync(materials, encryptedDataKeys, cancellationToken);
    }
}
