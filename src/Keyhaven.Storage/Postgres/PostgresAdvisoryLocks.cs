namespace Keyhaven.Storage.Postgres;

/// <summary>
/// The advisory lock keys Keyhaven takes (one 64-bit namespace per database). Their high bytes spell "Keyhav" so
/// they are unlikely to collide with another application's locks in a shared database.
/// </summary>
internal static class PostgresAdvisoryLocks
{
    /// <summary>Held (transaction-scoped) while the schema is checked and migrated.</summary>
    public const long Migration = 0x4B65_7968_6176_0001;

    /// <summary>Held (transaction-scoped) by every write transaction: writers serialize cluster-wide, like SQLite's.</summary>
    public const long Writer = 0x4B65_7968_6176_0002;

    /// <summary>Held (session-scoped) by the node that runs the background work.</summary>
    public const long Leader = 0x4B65_7968_6176_0003;
}
