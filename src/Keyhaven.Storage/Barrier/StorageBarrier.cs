using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Barrier;

/// <summary>
/// The one place where data is encrypted at rest (after Vault's barrier). Every value is sealed with AES-256-GCM
/// under the current barrier key; the record's identity (table, id, version) is bound as associated data, so a value
/// copied to another row, or replayed at another version, fails to open. The barrier keys form a keyring (by term)
/// that is itself sealed under the <see cref="RootKey"/> and stored as an ordinary record.
/// </summary>
/// <remarks>
/// Sealed value layout: <c>format (1 byte, 0x01) | term (4 bytes, big-endian) | nonce (12) | ciphertext | tag (16)</c>.
/// Thread-safe.
/// </remarks>
public sealed class StorageBarrier : IDisposable
{
    internal static readonly StorageKey KeyringKey = new("barrier", "keyring");
    private const byte FormatVersion = 1;
    private const int HeaderLength = 1 + 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int BarrierKeyLength = 32;
    private static readonly byte[] KeyringContext = "keyhaven/barrier/keyring/v1"u8.ToArray();

    private readonly Dictionary<uint, byte[]> _keys;
    private readonly uint _currentTerm;

    private StorageBarrier(Dictionary<uint, byte[]> keys)
    {
        _keys = keys;
        _currentTerm = keys.Keys.Max();
    }

    /// <summary>Opens the barrier of an existing deployment, for tools that must never initialize one.</summary>
    /// <exception cref="InvalidDataException">The store holds no keyring: no deployment was ever started on it.</exception>
    /// <exception cref="BarrierIntegrityException">The keyring does not open with this root key.</exception>
    public static async Task<StorageBarrier> OpenExistingAsync(IStorageBackend backend, RootKey rootKey, CancellationToken cancellationToken)
    {
        await using var transaction = await backend.BeginAsync(write: false, cancellationToken);
        var entry = await transaction.GetAsync(KeyringKey, cancellationToken)
            ?? throw new InvalidDataException("The storage holds no Keyhaven deployment: no server was ever started on it.");
        return new StorageBarrier(UnsealKeyring(entry, rootKey));
    }

    /// <summary>Opens the barrier: unseals the keyring with <paramref name="rootKey"/>, or creates one on first start.</summary>
    /// <exception cref="BarrierIntegrityException">The keyring does not open with this root key.</exception>
    public static async Task<StorageBarrier> OpenAsync(IStorageBackend backend, RootKey rootKey, CancellationToken cancellationToken)
    {
        await using var transaction = await backend.BeginAsync(write: true, cancellationToken);
        var entry = await transaction.GetAsync(KeyringKey, cancellationToken);
        if (entry is not null)
        {
            return new StorageBarrier(UnsealKeyring(entry, rootKey));
        }

        var keys = new Dictionary<uint, byte[]> { [1] = RandomNumberGenerator.GetBytes(BarrierKeyLength) };
        await transaction.PutAsync(KeyringKey, 0, SealKeyring(keys, rootKey, version: 1), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new StorageBarrier(keys);
    }

    /// <summary>Seals <paramref name="plaintext"/> for storage at <paramref name="key"/> as record version <paramref name="version"/>.</summary>
    public byte[] Seal(StorageKey key, long version, ReadOnlySpan<byte> plaintext)
    {
        var sealedValue = new byte[HeaderLength + NonceLength + plaintext.Length + TagLength];
        sealedValue[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(sealedValue.AsSpan(1), _currentTerm);
        var nonce = sealedValue.AsSpan(HeaderLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        var associatedData = AssociatedData(sealedValue.AsSpan(0, HeaderLength), key, version);
        using var aes = new AesGcm(_keys[_currentTerm], TagLength);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(HeaderLength + NonceLength, plaintext.Length),
            sealedValue.AsSpan(sealedValue.Length - TagLength), associatedData);
        return sealedValue;
    }

    /// <summary>Opens a stored entry. The caller owns the returned buffer and zeroes it if it holds secrets.</summary>
    /// <exception cref="BarrierIntegrityException">The value was altered, moved, replayed or is of an unknown format.</exception>
    public byte[] Unseal(StorageEntry entry)
    {
        var value = entry.Value;
        if (value.Length < HeaderLength + NonceLength + TagLength || value[0] != FormatVersion)
        {
            throw new BarrierIntegrityException($"Record `{entry.Key}` is not a sealed value of a known format.");
        }

        var term = BinaryPrimitives.ReadUInt32BigEndian(value.AsSpan(1));
        if (!_keys.TryGetValue(term, out var barrierKey))
        {
            throw new BarrierIntegrityException($"Record `{entry.Key}` was sealed under an unknown barrier term {term}.");
        }

        var plaintext = new byte[value.Length - HeaderLength - NonceLength - TagLength];
        try
        {
            using var aes = new AesGcm(barrierKey, TagLength);
            aes.Decrypt(value.AsSpan(HeaderLength, NonceLength), value.AsSpan(HeaderLength + NonceLength, plaintext.Length),
                value.AsSpan(value.Length - TagLength), plaintext, AssociatedData(value.AsSpan(0, HeaderLength), entry.Key, entry.Version));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new BarrierIntegrityException($"Record `{entry.Key}` at version {entry.Version} failed authentication.");
        }

        return plaintext;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    // INVARIANT: the encoding is injective: each variable-length part is length-prefixed.
    private static byte[] AssociatedData(ReadOnlySpan<byte> header, StorageKey key, long version)
    {
        var table = Encoding.UTF8.GetBytes(key.Table);
        var id = Encoding.UTF8.GetBytes(key.Id);
        var data = new byte[header.Length + 4 + table.Length + 4 + id.Length + 8];
        var span = data.AsSpan();
        header.CopyTo(span);
        span = span[header.Length..];
        BinaryPrimitives.WriteInt32BigEndian(span, table.Length);
        table.CopyTo(span[4..]);
        span = span[(4 + table.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, id.Length);
        id.CopyTo(span[4..]);
        BinaryPrimitives.WriteInt64BigEndian(span[(4 + id.Length)..], version);
        return data;
    }

    private static byte[] SealKeyring(Dictionary<uint, byte[]> keys, RootKey rootKey, long version)
    {
        var plaintext = new byte[keys.Count * (4 + BarrierKeyLength)];
        try
        {
            var offset = 0;
            foreach (var (term, key) in keys.OrderBy(k => k.Key))
            {
                BinaryPrimitives.WriteUInt32BigEndian(plaintext.AsSpan(offset), term);
                key.CopyTo(plaintext, offset + 4);
                offset += 4 + BarrierKeyLength;
            }

            var sealedValue = new byte[1 + NonceLength + plaintext.Length + TagLength];
            sealedValue[0] = FormatVersion;
            var nonce = sealedValue.AsSpan(1, NonceLength);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(rootKey.Bytes, TagLength);
            aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceLength, plaintext.Length),
                sealedValue.AsSpan(sealedValue.Length - TagLength), KeyringAssociatedData(version));
            return sealedValue;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static Dictionary<uint, byte[]> UnsealKeyring(StorageEntry entry, RootKey rootKey)
    {
        var value = entry.Value;
        var length = value.Length - 1 - NonceLength - TagLength;
        if (length <= 0 || value[0] != FormatVersion || length % (4 + BarrierKeyLength) != 0)
        {
            throw new BarrierIntegrityException("The barrier keyring is not of a known format.");
        }

        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(rootKey.Bytes, TagLength);
            aes.Decrypt(value.AsSpan(1, NonceLength), value.AsSpan(1 + NonceLength, length),
                value.AsSpan(value.Length - TagLength), plaintext, KeyringAssociatedData(entry.Version));
            var keys = new Dictionary<uint, byte[]>();
            for (var offset = 0; offset < length; offset += 4 + BarrierKeyLength)
            {
                keys[BinaryPrimitives.ReadUInt32BigEndian(plaintext.AsSpan(offset))] = plaintext.AsSpan(offset + 4, BarrierKeyLength).ToArray();
            }

            return keys;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new BarrierIntegrityException("The barrier keyring does not open with this root key: wrong root key file, or the keyring was altered.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] KeyringAssociatedData(long version)
    {
        var data = new byte[KeyringContext.Length + 8];
        KeyringContext.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(KeyringContext.Length), version);
        return data;
    }
}
