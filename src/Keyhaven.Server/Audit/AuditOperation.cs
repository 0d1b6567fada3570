namespace Keyhaven.Server.Audit;

/// <summary>
/// What the audit trail may record of one operation: an allow-list of request members and of response members
/// (<c>Member</c> for a whole member, <c>Member.Inner</c> for one member inside a structure), and whether the call only
/// reads. Anything not listed is left out, so a new member is never recorded by accident. <see cref="RequestDefaults"/>
/// are top-level request members recorded with their default when the request leaves them out, as CloudTrail does
/// (a Decrypt event "always includes the encryptionAlgorithm").
/// </summary>
internal sealed record AuditOperation(string Name, IReadOnlyList<string> Request, IReadOnlyList<string> Response, bool ReadOnly,
    IReadOnlyList<KeyValuePair<string, string>> RequestDefaults)
{
    /// <summary>
    /// Creates an entry from space-separated member lists. <paramref name="readOnly"/> defaults to true for names
    /// starting with Get, List, Describe or Lookup (CloudTrail's read-only events). <paramref name="defaults"/> is a
    /// space-separated list of <c>Member=value</c> (each member also in <paramref name="request"/>).
    /// </summary>
    public static AuditOperation Of(string name, string request = "", string response = "", bool? readOnly = null, string defaults = "") =>
        new(name, Split(request), Split(response), readOnly ?? (name.StartsWith("Get", StringComparison.Ordinal) || name.StartsWith("List", StringComparison.Ordinal)
            || name.StartsWith("Describe", StringComparison.Ordinal) || name.StartsWith("Lookup", StringComparison.Ordinal)),
            [.. Split(defaults).Select(d => d.Split('=', 2) is [var member, var value] ? KeyValuePair.Create(member, value)
                : throw new ArgumentException($"`{d}` is not Member=value.", nameof(defaults)))]);

    private static string[] Split(string members) => members.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
