using Keyhaven.Storage.Postgres;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Storage.Backends;

/// <summary>
/// Where a deployment's records live, as an operator writes it: <c>sqlite://PATH</c> (one node), or a
/// <c>postgres://user:password@host:port/database</c> URI or Npgsql connection string (several nodes).
/// </summary>
public sealed class StorageLocation
{
    private const string SqliteScheme = "sqlite://";
    private readonly string _text;

    private StorageLocation(string text, bool isPostgres, string description)
    {
        _text = text;
        IsPostgres = isPostgres;
        Description = description;
    }

    /// <summary>True for PostgreSQL, false for SQLite.</summary>
    public bool IsPostgres { get; }

    /// <summary>Where the records are, for logs and messages: never holds a password.</summary>
    public string Description { get; }

    /// <summary>An SQLite database file.</summary>
    public static StorageLocation FromSqlitePath(string path) => new(SqliteScheme + path, false, $"SQLite database {Path.GetFullPath(path)}");

    /// <summary>Parses an operator's location.</summary>
    /// <exception cref="FormatException">Not a location this build knows; the message never holds a password.</exception>
    public static StorageLocation Parse(string text)
    {
        if (text.StartsWith(SqliteScheme, StringComparison.OrdinalIgnoreCase))
        {
            var path = text[SqliteScheme.Length..];
            return path.Length > 0 ? FromSqlitePath(path) : throw new FormatException("`sqlite://` names no database file (e.g. sqlite:///var/lib/keyhaven/keyhaven.db).");
        }

        if (PostgresConnectionString.IsUri(text) || text.Contains('=', StringComparison.Ordinal))
        {
            var settings = PostgresConnectionString.Parse(text);
            return new StorageLocation(text, true, $"PostgreSQL database {settings.Database ?? settings.Username} at {settings.Host}:{settings.Port}");
        }

        throw new FormatException("The storage location is neither sqlite://PATH nor a postgres:// URI or PostgreSQL connection string.");
    }

    /// <summary>A new, uninitialized backend for this location; the caller initializes and disposes it.</summary>
    public IStorageBackend CreateBackend() =>
        IsPostgres ? new PostgresStorageBackend(_text) : new SqliteStorageBackend(_text[SqliteScheme.Length..]);

    public override string ToString() => Description;
}
