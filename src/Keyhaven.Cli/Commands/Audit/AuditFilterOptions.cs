using System.CommandLine;
using System.Globalization;
using Keyhaven.Audit.Reading;
using Keyhaven.Cli.Commands.Offline;

namespace Keyhaven.Cli.Commands.Audit;

/// <summary>The options every <c>keyhaven audit</c> command shares: where the data is, and which events.</summary>
internal sealed class AuditFilterOptions
{
    public DeploymentOptions Deployment { get; } = new();
    public Option<string?> From { get; } = new("--from") { Description = "Only events at or after this time (ISO 8601, UTC unless an offset is given)." };
    public Option<string?> To { get; } = new("--to") { Description = "Only events before this time (exclusive; after --from)." };
    public Option<string?> EventName { get; } = new("--event-name") { Description = "Only this operation (e.g. Decrypt)." };
    public Option<string?> EventSource { get; } = new("--event-source") { Description = "Only this service (e.g. kms.amazonaws.com)." };
    public Option<string?> Key { get; } = new("--key") { Description = "Only events on this resource: a key ARN or id (or any resource ARN or name)." };
    public Option<string?> Principal { get; } = new("--principal") { Description = "Only this caller: ARN, principal id, user or role name, or access key id." };
    public Option<string?> Error { get; } = new("--error") { Description = "Only events that failed with this error code; `*` for any error." };
    public Option<string?> SourceIp { get; } = new("--source-ip") { Description = "Only requests from this address." };
    public Option<string?> RequestId { get; } = new("--request-id") { Description = "Only the event of this request." };

    /// <summary>Adds the data options, and the filters unless <paramref name="filters"/> is false.</summary>
    public void AddTo(Command command, bool filters = true)
    {
        Deployment.AddTo(command);
        command.Options.Add(From);
        command.Options.Add(To);
        if (filters)
        {
            foreach (var option in new Option[] { EventName, EventSource, Key, Principal, Error, SourceIp, RequestId })
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>The filter the options describe.</summary>
    /// <exception cref="FormatException">A time is not ISO 8601, or --to is not after --from.</exception>
    public AuditEventFilter ToFilter(ParseResult result)
    {
        var (from, to) = (ParseTime(result.GetValue(From), "--from"), ParseTime(result.GetValue(To), "--to"));
        if (from is not null && to is not null && to <= from)
        {
            throw new FormatException($"--to ({to:O}) must be after --from ({from:O}): --to is exclusive.");
        }

        return Filter(result, from, to);
    }

    private AuditEventFilter Filter(ParseResult result, DateTimeOffset? from, DateTimeOffset? to) => new()
    {
        From = from,
        To = to,
        EventName = result.GetValue(EventName),
        EventSource = result.GetValue(EventSource),
        Resource = result.GetValue(Key),
        Principal = result.GetValue(Principal),
        ErrorCode = result.GetValue(Error),
        SourceIPAddress = result.GetValue(SourceIp),
        RequestId = result.GetValue(RequestId),
    };

    /// <summary>ISO 8601 only: a date, or a date and time with optional fractions and offset (UTC without one).</summary>
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
    ];

    public static DateTimeOffset? ParseTime(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time
        : throw new FormatException($"`{text}` is not a time for {option}: use ISO 8601, e.g. 2026-11-30T08:00:00Z.");
}
