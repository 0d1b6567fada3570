using System.Security.Cryptography;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Sqlite;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Storage.Tests.Barrier;

/// <summary>The root key file: created 32 bytes with mode 0600, refused when others may read it or it has the wrong length.</summary>
public sealed class RootKeyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void LoadOrCreate_CreatesA32ByteFileWithMode0600()
    {
        var path = _directory.File("root.key");

        using var key = RootKey.LoadOrCreate(path);

        Assert.Equal(32, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void LoadOrCreate_CreatesMissingParentDirectories()
    {
        var path = Path.Combine(_directory.Path, "a", "b", "root.key");

        using var key = RootKey.LoadOrCreate(path);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void LoadOrCreate_MakesADifferentKeyEachTime()
    {
        using var first = RootKey.LoadOrCreate(_directory.File("one.key"));
        using var second = RootKey.LoadOrCreate(_directory.File("two.key"));

        Assert.NotEqual(File.ReadAllBytes(_directory.File("one.key")), File.ReadAllBytes(_directory.File("two.key")));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.GroupExecute)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.OtherWrite)]
    [InlineData(UnixFileMode.OtherExecute)]
    public void LoadOrCreate_RefusesAFileGroupOrOthersCanAccess(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.File("root.key");
        RootKey.LoadOrCreate(path).Dispose();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var error = Assert.Throws<InvalidDataException>(() => RootKey.LoadOrCreate(path));
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_AcceptsAnOwnerOnlyReadableFile()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.File("root.key");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(path, UnixFileMode.UserRead);

        using var key = RootKey.LoadOrCreate(path);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void LoadOrCreate_RefusesAFileOfTheWrongLength(int length)
    {
        var path = _directory.File("root.key");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(length));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var error = Assert.Throws<InvalidDataException>(() => RootKey.LoadOrCreate(path));
        Assert.Contains("exactly 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromBytes_RefusesTheWrongLength(int length) =>
        Assert.Throws<ArgumentException>(() => RootKey.FromBytes(new byte[length]));

    [Fact]
    public async Task Reloading_ReturnsTheSameKey_AsShownByOpeningTheSameKeyring()
    {
        var path = _directory.File("root.key");
        var record = new StorageKey("t", "r");
        await using var backend = new SqliteStorageBackend(_directory.File("keyhaven.db"));
        await backend.InitializeAsync(CancellationToken.None);
        byte[] sealedValue;
        using (var created = RootKey.LoadOrCreate(path))
        using (var barrier = await StorageBarrier.OpenAsync(backend, created, CancellationToken.None))
        {
            sealedValue = barrier.Seal(record, 1, "hello"u8);
        }

        using var reloaded = RootKey.LoadOrCreate(path);
        using var reopened = await StorageBarrier.OpenAsync(backend, reloaded, CancellationToken.None);

        Assert.Equal("hello"u8.ToArray(), reopened.Unseal(new StorageEntry(record, 1, sealedValue)));
    }

    [Fact]
    public async Task FromBytes_OfTheFileContents_OpensTheSameKeyring()
    {
        var path = _directory.File("root.key");
        await using var backend = new SqliteStorageBackend(_directory.File("keyhaven.db"));
        await backend.InitializeAsync(CancellationToken.None);
        using (var created = RootKey.LoadOrCreate(path))
        using (await StorageBarrier.OpenAsync(backend, created, CancellationToken.None))
        {
        }

        using var copy = RootKey.FromBytes(File.ReadAllBytes(path));
        using var reopened = await StorageBarrier.OpenAsync(backend, copy, CancellationToken.None);
    }

    [Fact]
    public void Dispose_ZeroesTheKey()
    {
        var key = RootKey.FromBytes(RandomNumberGenerator.GetBytes(32));

        key.Dispose();

        Assert.True(key.Bytes.IndexOfAnyExcept((byte)0) < 0);
    }
}
