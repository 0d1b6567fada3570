using System.Security.Cryptography;
using Keyhaven.Audit.Events;
using Keyhaven.Audit.Trail;
using Keyhaven.Storage.Barrier;
using Keyhaven.Storage.Records;
using Keyhaven.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Audit.Tests.Support;

/// <summary>A real SQLite store with a barrier in a temporary directory, an audit trail over it, and direct SQL for playing the attacker.</summary>
public sealed class TrailStore : IAsyncDisposable
{
    private readonly byte[] _rootKey = RandomNumberGenerator.GetBytes(RootKey.Length);

    private TrailStore(string directory) => Directory = directory;

    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "keyhaven.db");
    public SqliteStorageBackend Backend { get; private set; } = null!;
    public StorageBarrier Barrier { get; private set; } = null!;
    public RecordStore Records { get; private set; } = null!;

    public static async Task<TrailStore> CreateAsync()
    {
        var store = new TrailStore(System.IO.Directory.CreateTempSubdirectory("keyhaven-audit-test").FullName);
        await store.OpenAsync();
        return store;
    }

    /// <summary>Opens the store (again, as after a restart).</summary>
    public async Task OpenAsync()
    {
        Backend = new SqliteStorageBackend(DatabasePath);
        await Backend.InitializeAsync(default);
        using var rootKey = RootKey.FromBytes(_rootKey);
        Barrier = await StorageBarrier.OpenAsync(Backend, rootKey, default);
        Records = new RecordStore(Backend, Barrier);
    }

    public Task<AuditTrail> OpenTrailAsync(TimeProvider? time = null) => AuditTrail.OpenAsync(Records, time ?? TimeProvider.System, default);

    public static AuditEvent Event(string name, DateTimeOffset? time = null) => new()
    {
        UserIdentity = new AuditUserIdentity { Type = "Root", AccountId = "111122223333", Arn = "arn:aws:iam::111122223333:root" },
        EventTime = time ?? DateTimeOffset.UtcNow,
        EventSource = "kms.amazonaws.com",
        EventName = name,
        AwsRegion = "us-east-1",
        SourceIPAddress = "127.0.0.1",
        RequestID = Guid.NewGuid().ToString(),
        EventID = Guid.NewGuid().ToString(),
        RecipientAccountId = "111122223333",
    };

    /// <summary>Runs SQL on the database file directly, as someone with access to the file but not the root key could.</summary>
    public async Task TamperAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Flips one byte of the stored (sealed) event at <paramref name="sequence"/>.</summary>
    public async Task FlipByteAsync(long sequence)
    {
        byte[] value;
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT value FROM records WHERE tbl = 'audit-events' AND id = $id";
            read.Parameters.AddWithValue("$id", AuditRecords.Id(sequence));
            value = (byte[])(await read.ExecuteScalarAsync())!;
        }

        value[value.Length / 2] ^= 0x01;
        await TamperAsync("UPDATE records SET value = $value WHERE tbl = 'audit-events' AND id = $id", ("$value", value), ("$id", AuditRecords.Id(sequence)));
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        Barrier.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
