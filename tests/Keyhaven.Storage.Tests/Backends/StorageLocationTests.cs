using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Postgres;
using Keyhaven.Storage.Sqlite;

namespace Keyhaven.Storage.Tests.Backends;

/// <summary>How operators name storage: sqlite://PATH, postgres:// URIs and Npgsql connection strings.</summary>
public sealed class StorageLocationTests
{
    [Fact]
    public async Task Sqlite_IsAFilePath()
    {
        var location = StorageLocation.Parse("sqlite:///var/lib/keyhaven/keyhaven.db");

        Assert.False(location.IsPostgres);
        Assert.Equal("SQLite database /var/lib/keyhaven/keyhaven.db", location.Description);
        await using var backend = location.CreateBackend();
        Assert.IsType<SqliteStorageBackend>(backend);
    }

    [Theory]
    [InlineData("postgres://kh:s%40cret@db.example:6432/keyhaven?sslmode=require")]
    [InlineData("postgresql://kh:s%40cret@db.example:6432/keyhaven?sslmode=Require")]
    [InlineData("Host=db.example;Port=6432;Username=kh;Password=s@cret;Database=keyhaven;SSL Mode=Require")]
    public async Task Postgres_IsAUriOrAConnectionString_AndItsDescriptionHoldsNoPassword(string text)
    {
        var location = StorageLocation.Parse(text);

        Assert.True(location.IsPostgres);
        Assert.Equal("PostgreSQL database keyhaven at db.example:6432", location.Description);
        Assert.DoesNotContain("cret", location.ToString(), StringComparison.Ordinal);
        var settings = PostgresConnectionString.Parse(text);
        Assert.Equal(("kh", "s@cret", Npgsql.SslMode.Require), (settings.Username, settings.Password, settings.SslMode));
        await using var backend = location.CreateBackend();
        Assert.IsType<PostgresStorageBackend>(backend);
    }

    [Fact]
    public void Postgres_GetsShortTimeouts_UnlessAnyTimeoutIsGiven()
    {
        Assert.Equal((5, 15), Timeouts("postgres://kh@db/keyhaven"));
        Assert.Equal((30, 30), Timeouts("postgres://kh@db/keyhaven?Timeout=30"));
        Assert.Equal((7, 30), Timeouts("Host=db;Timeout=7"));

        static (int, int) Timeouts(string text) => PostgresConnectionString.Parse(text) is var s ? (s.Timeout, s.CommandTimeout) : default;
    }

    [Theory]
    [InlineData("")]
    [InlineData("sqlite://")]
    [InlineData("mysql://db/keyhaven")]
    [InlineData("/var/lib/keyhaven.db")]
    [InlineData("postgres:///keyhaven")]
    [InlineData("postgres://kh:hunter2@db/keyhaven?NoSuchOption=1")]
    [InlineData("Database=keyhaven;Password=hunter2")]
    public void Unknown_Or_Incomplete_AreRefused_WithoutEchoingThePassword(string text)
    {
        var error = Assert.Throws<FormatException>(() => StorageLocation.Parse(text));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
