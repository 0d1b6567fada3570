using Keyhaven.Storage.Backends;

namespace Keyhaven.Storage.Copying;

/// <summary>
/// Copies a whole deployment from one backend to another (say SQLite to PostgreSQL): every record of every table,
/// byte for byte at the same version. Values stay sealed and the barrier's associated data (table, id, version) still
/// matches, so the same root key opens the copy, and nothing is ever decrypted on the way (no root key is needed).
/// </summary>
public static class StorageCopy
{
    private const int Page = 500;

    /// <summary>What a copy moved.</summary>
    public sealed record Result(int Tables, long Records);

    /// <summary>
    /// Copies everything in <paramref name="source"/> into <paramref name="destination"/>, which must be empty: one read
    /// transaction (a consistent snapshot) on the source, one write transaction (all or nothing) on the destination.
    /// </summary>
    /// <exception cref="InvalidOperationException">The destination holds records already.</exception>
    public static async Task<Result> CopyAsync(IStorageBackend source, IStorageBackend destination, CancellationToken cancellationToken)
    {
        await using var reader = await source.BeginAsync(write: false, cancellationToken);
        await using var writer = await destination.BeginAsync(write: true, cancellationToken);
        if ((await writer.ListTablesAsync(cancellationToken)).Count > 0)
        {
            throw new InvalidOperationException("The destination already holds records; copy only into empty storage.");
        }

        var tables = await reader.ListTablesAsync(cancellationToken);
        long records = 0;
        foreach (var table in tables)
        {
            string? after = null;
            while (true)
            {
                var page = await reader.ListAsync(table, string.Empty, after, Page, cancellationToken);
                foreach (var entry in page)
                {
                    await writer.ImportAsync(entry, cancellationToken);
                }

                records += page.Count;
                if (page.Count < Page)
                {
                    break;
                }

                after = page[^1].Key.Id;
            }
        }

        await writer.CommitAsync(cancellationToken);
        return new Result(tables.Count, records);
    }
}
