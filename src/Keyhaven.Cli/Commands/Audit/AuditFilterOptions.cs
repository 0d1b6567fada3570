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
    public Option<string?> To { get; } = new("--to") { Description = "Only events before this time." };
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
    /// <exception cref="FormatException">A time is not ISO 8601.</exception>
    public AuditEventFilter ToFilter(ParseResult result) => new()
    {
        From = ParseTime(result.GetValue(From), "--from"),
        To = ParseTime(result.GetValue(To), "--to"),
        EventName = result.GetValue(EventName),
        EventSource = result.GetValue(EventSource),
        Resource = result.GetValue(Key),
        Principal = result.GetValue(Principal),
        ErrorCode = result.GetValue(Error),
        SourceIPAddress = result.GetValue(SourceIp),
        RequestId = result.GetValue(RequestId),
    };

    public static DateTimeOffset? ParseTime(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time
        : throw new FormatException($"`{text}` is not a time for {option}: use ISO 8601, e.g. 2026-11-30T08:00:00Z.");
}
