using System.Security.Cryptography;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Barrier;

/// <summary>Sealing and unsealing values: round trips, and the record identity bound as associated data.</summary>
public sealed partial class StorageBarrierTests : IAsyncLifetime
{
    private static readonly StorageKey Key = new("keys", "111122223333/us-east-1/k1");
    private StorageHarness _storage = null!;

    private StorageBarrier Barrier => _storage.Barrier;

    public async Task InitializeAsync() => _storage = await StorageHarness.OpenAsync();

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1024)]
    [InlineData(65536)]
    public void SealThenUnseal_ReturnsThePlaintext(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var sealedValue = Barrier.Seal(Key, 3, plaintext);

        Assert.Equal(plaintext, Barrier.Unseal(new StorageEntry(Key, 3, sealedValue)));
    }

    [Fact]
    public void Seal_HasTheDocumentedLayout()
    {
        var sealedValue = Barrier.Seal(Key, 1, new byte[10]);

        // format (1) | term (4, big-endian) | nonce (12) | ciphertext | tag (16)
        Assert.Equal(1 + 4 + 12 + 10 + 16, sealedValue.Length);
        Assert.Equal(0x01, sealedValue[0]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, sealedValue[1..5]);
    }

    [Fact]
    public void Seal_IsRandomized_SoEqualPlaintextsDoNotSealAlike()
    {
        var plaintext = RandomNumberGenerator.GetBytes(64);

        Assert.NotEqual(Barrier.Seal(Key, 1, plaintext), Barrier.Seal(Key, 1, plaintext));
    }

    [Fact]
    public void Seal_DoesNotContainThePlaintext()
    {
        var plaintext = RandomNumberGenerator.GetBytes(32);

        var sealedValue = Barrier.Seal(Key, 1, plaintext);

        Assert.Equal(-1, sealedValue.AsSpan().IndexOf(plaintext));
    }

    [Fact]
    public void ValueCopiedToAnotherId_Fails()
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);

        var error = Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key with { Id = "111122223333/us-east-1/k2" }, 1, sealedValue)));
        Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValueCopiedToAnotherTable_Fails()
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);

        Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key with { Table = "aliases" }, 1, sealedValue)));
    }

    [Theory]
    [InlineData("ab", "c", "a", "bc")]
    [InlineData("a", "bc", "ab", "c")]
    [InlineData("keys", "", "key", "s")]
    public void IdentityEncoding_IsInjective_WhereTableAndIdConcatenateAlike(string table, string id, string otherTable, string otherId)
    {
        // The associated data length-prefixes table and id, so moving bytes between them changes it.
        var sealedValue = Barrier.Seal(new StorageKey(table, id), 1, "secret"u8);

        Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(new StorageKey(otherTable, otherId), 1, sealedValue)));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    [InlineData(7, long.MaxValue)]
    public void ValueReplayedAtAnotherVersion_Fails(long sealedAt, long readAt)
    {
        var sealedValue = Barrier.Seal(Key, sealedAt, "secret"u8);

        Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, readAt, sealedValue)));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x02)]
    [InlineData(0xFF)]
    public void UnknownFormatByte_Fails(byte format)
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);
        sealedValue[0] = format;

        var error = Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 1, sealedValue)));
        Assert.Contains("known format", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(uint.MaxValue)]
    public void UnknownTerm_Fails(uint term)
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(sealedValue.AsSpan(1), term);

        var error = Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 1, sealedValue)));
        Assert.Contains($"unknown barrier term {term}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedValue_FailsAtEveryLength()
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);

        for (var length = 0; length < sealedValue.Length; length++)
        {
            var truncated = sealedValue[..length];
            Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 1, truncated)));
        }
    }

    [Fact]
    public void ExtendedValue_Fails()
    {
        var sealedValue = Barrier.Seal(Key, 1, "secret"u8);

        Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 1, [.. sealedValue, 0])));
    }

    [Fact]
    public void IntegrityMessages_NameTheRecordButNotThePlaintext()
    {
        var sealedValue = Barrier.Seal(Key, 1, "do-not-leak"u8);
        sealedValue[^1] ^= 1;

        var error = Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 1, sealedValue)));
        Assert.Contains(Key.ToString(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-leak", error.Message, StringComparison.Ordinal);
    }
}
