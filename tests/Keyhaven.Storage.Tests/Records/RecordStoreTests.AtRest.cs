using System.Security.Cryptography;
using System.Text;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Tests.Records;

/// <summary>Nothing the domain writes reaches the database files in plaintext: not the db, not the WAL, not the shared memory.</summary>
public sealed partial class RecordStoreTests
{
    [Fact]
    public async Task DatabaseFiles_NeverContainAWrittenPlaintextValue()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var marker = "plaintext-marker-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var key = new StorageKey("secrets", marker);
        await PutAsync(key, 0, secret);
        await PutAsync(key, 1, [.. secret, .. secret]);
        await PutAsync(new StorageKey("secrets", marker + "-2"), 0, secret);

        // While the database is open the last commits sit in the WAL.
        var files = DatabaseFiles();
        Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
        AssertFilesHoldTheIdButNotTheValue(files, marker, secret);

        // After the last connection closes, SQLite checkpoints the WAL into the main file.
        await _storage.Backend.DisposeAsync();
        AssertFilesHoldTheIdButNotTheValue(DatabaseFiles(), marker, secret);
    }

    private string[] DatabaseFiles() =>
        new[] { "", "-wal", "-shm" }.Select(suffix => _storage.DatabasePath + suffix).Where(File.Exists).ToArray();

    private static void AssertFilesHoldTheIdButNotTheValue(string[] files, string marker, byte[] secret)
    {
        var all = files.Select(ReadShared).ToArray();

        // Positive control: ids are stored in the clear (by design), so the scan does see what was written.
        Assert.Contains(all, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0);
        for (var i = 0; i < files.Length; i++)
        {
            Assert.True(all[i].AsSpan().IndexOf(secret) < 0, $"{Path.GetFileName(files[i])} holds the plaintext value.");
            Assert.True(all[i].AsSpan().IndexOf(secret.AsSpan(0, 16)) < 0, $"{Path.GetFileName(files[i])} holds part of the plaintext value.");
        }
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
