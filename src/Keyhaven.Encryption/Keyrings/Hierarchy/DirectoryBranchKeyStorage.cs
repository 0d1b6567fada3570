using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Branch key items kept in a folder: one JSON file per branch key (named by the SHA-256 of its id) holding all its
/// items. Writes take an exclusive lock file, check their condition against the file, write a temporary file,
/// flush it to disk and rename it over the old one, so a crash leaves either the old or the new file and
/// concurrent writers (threads or processes) never lose an update. Files and folder are private to the owner.
/// Thread safe.
/// </summary>
public sealed class DirectoryBranchKeyStorage : IBranchKeyStorage
{
    private const int FormatVersion = 1;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <param name="folder">Created (mode 0700) if missing.</param>
    public DirectoryBranchKeyStorage(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Folder);
        }
        else
        {
            Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Folder { get; }

    public string Name => Folder;

    public async ValueTask<BranchKeyItem?> GetItemAsync(string branchKeyId, string type, CancellationToken cancellationToken = default)
    {
        var items = await ReadAsync(branchKeyId, cancellationToken).ConfigureAwait(false);
        return items.FirstOrDefault(i => i.Type == type);
    }

    public async ValueTask<bool> TryWriteNewBranchKeyAsync(IReadOnlyList<BranchKeyItem> items, CancellationToken cancellationToken = default)
    {
        var branchKeyId = SingleBranchKeyId(items);
        await using var writeLock = await LockAsync(branchKeyId, cancellationToken).ConfigureAwait(false);
        if (File.Exists(PathOf(branchKeyId)))
        {
            return false;
        }

        await WriteAsync(branchKeyId, items, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> TryWriteNewVersionAsync(BranchKeyItem version, BranchKeyItem active, ReadOnlyMemory<byte> expectedActiveEnc, CancellationToken cancellationToken = default)
    {
        var branchKeyId = SingleBranchKeyId([version, active]);
        await using var writeLock = await LockAsync(branchKeyId, cancellationToken).ConfigureAwait(false);
        var items = await ReadAsync(branchKeyId, cancellationToken).ConfigureAwait(false);
        var current = items.FirstOrDefault(i => i.Type == BranchKeyItem.ActiveType);
        if (current is null || !current.Enc.AsSpan().SequenceEqual(expectedActiveEnc.Span) || items.Any(i => i.Type == version.Type))
        {
            return false;
        }

        List<BranchKeyItem> updated = [.. items.Where(i => i.Type != BranchKeyItem.ActiveType), version, active];
        await WriteAsync(branchKeyId, updated, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private string PathOf(string branchKeyId) =>
        Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(branchKeyId))) + ".json");

    private static string SingleBranchKeyId(IReadOnlyList<BranchKeyItem> items)
    {
        if (items.Count == 0 || items.Any(i => i.BranchKeyId.Length == 0 || i.BranchKeyId != items[0].BranchKeyId))
        {
            throw new ArgumentException("The items must all have the same, non-empty branch key id.", nameof(items));
        }

        return items[0].BranchKeyId;
    }

    private async Task<List<BranchKeyItem>> ReadAsync(string branchKeyId, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(PathOf(branchKeyId), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store file for `{branchKeyId}` in `{Folder}` cannot be read: {e.Message}", e);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != FormatVersion || root.GetProperty(BranchKeyItem.BranchKeyIdField).GetString() != branchKeyId)
            {
                throw new InvalidDataException("unexpected format or branch key id");
            }

            return [.. root.GetProperty("items").EnumerateArray().Select(item => new BranchKeyItem(
                item.GetProperty("attributes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? throw new InvalidDataException("null attribute"), StringComparer.Ordinal),
                item.GetProperty(BranchKeyItem.EncField).GetBytesFromBase64()))];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException or FormatException or ArgumentException)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, $"The branch key store file for `{branchKeyId}` in `{Folder}` is unreadable.", e);
        }
    }

    private async Task WriteAsync(string branchKeyId, IReadOnlyList<BranchKeyItem> items, CancellationToken cancellationToken)
    {
        var root = new JsonObject
        {
            ["format"] = FormatVersion,
            [BranchKeyItem.BranchKeyIdField] = branchKeyId,
            ["items"] = new JsonArray([.. items.Select(i => (JsonNode)new JsonObject
            {
                ["attributes"] = new JsonObject(i.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                [BranchKeyItem.EncField] = Convert.ToBase64String(i.Enc),
            })]),
        };
        var path = PathOf(branchKeyId);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(root.ToJsonString()), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<FileStream> LockAsync(string branchKeyId, CancellationToken cancellationToken)
    {
        var lockPath = PathOf(branchKeyId) + ".lock";
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // The lock file stays: deleting it on close would let two writers lock two different files.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
