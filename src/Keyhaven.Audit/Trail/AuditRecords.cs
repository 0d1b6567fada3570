using System.Globalization;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Audit.Trail;

/// <summary>Where the audit trail lives in the record store: events by sequence number, digests by number, the chain head and the signing key.</summary>
/// <remarks>Ids are zero-padded decimals so that the store's ordinal id order is the sequence order.</remarks>
public static class AuditRecords
{
    public const string EventTable = "audit-events";
    public const string DigestTable = "audit-digests";
    public static readonly StorageKey Head = new("audit", "head");
    public static readonly StorageKey SigningKey = new("audit", "signing-key");

    public static StorageKey Event(long sequence) => new(EventTable, Id(sequence));

    public static StorageKey Digest(long number) => new(DigestTable, Id(number));

    public static string Id(long sequence) => sequence.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Parses an id written by <see cref="Id"/>; false for anything else (a row an attacker inserted by hand).</summary>
    public static bool TryParseId(string id, out long sequence)
    {
        sequence = 0;
        return id.Length == 20 && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
