using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Keyhaven.Audit.Reading;
using Keyhaven.Audit.Verification;
using Keyhaven.Cli.Commands.Offline;

namespace Keyhaven.Cli.Commands.Audit;

/// <summary>
/// <c>keyhaven audit verify|export|query</c>: read a deployment's audit trail (its SQLite file or its PostgreSQL database) offline. Thin wrappers: opening the
/// data directory and printing are done here; reading and verifying live in Keyhaven.Audit.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Exit code for bad options or a data directory that cannot be opened.</summary>
    private const int UsageError = 2;

    public static Command Create()
    {
        var command = new Command("audit", "Verify, export and query the tamper-evident audit trail of a data directory.");
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreateExport());
        command.Subcommands.Add(CreateQuery());
        return command;
    }

    private static Command CreateVerify()
    {
        var options = new AuditFilterOptions();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("verify",
            "Check the hash chain and the signed digests; report every modified, deleted, inserted, reordered or truncated event by position. Exit 0 when intact, 1 when not.");
        options.AddTo(command, filters: false);
        command.Options.Add(json);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, async (data, filter) =>
        {
            var report = await new AuditVerifier(data.Backend, data.Barrier).VerifyAsync(filter.From, filter.To, cancellationToken);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    intact = report.IsIntact,
                    eventsVerified = report.EventsVerified,
                    digestsVerified = report.DigestsVerified,
                    firstSequence = report.FirstSequence,
                    lastSequence = report.LastSequence,
                    findings = report.Findings.Select(f => new { kind = f.Kind.ToString(), position = f.Position, detail = f.Detail }),
                }, CliJson.Options));
            }
            else
            {
                foreach (var finding in report.Findings)
                {
                    Console.WriteLine(finding);
                }

                Console.WriteLine(report.IsIntact
                    ? $"Intact: {report.EventsVerified} events ({report.FirstSequence} to {report.LastSequence}) and {report.DigestsVerified} signed digests verified."
                    : $"TAMPERED: {report.Findings.Count} findings; {report.EventsVerified} events and {report.DigestsVerified} digests verified.");
            }

            return report.IsIntact ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    private static Command CreateExport()
    {
        var options = new AuditFilterOptions();
        var format = new Option<string>("--format") { Description = "records (CloudTrail log file: {\"Records\":[…]}) or jsonl (one event a line).", DefaultValueFactory = _ => "records" };
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of standard output." };
        var command = new Command("export", "Write the events (filtered) as CloudTrail JSON, oldest first.");
        options.AddTo(command);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, async (data, filter) =>
        {
            var kind = result.GetValue(format);
            if (kind is not ("records" or "jsonl"))
            {
                await Console.Error.WriteLineAsync($"`{kind}` is not an export format (expected records or jsonl).");
                return UsageError;
            }

            await using var stream = result.GetValue(output) is { } file ? file.Create() : Console.OpenStandardOutput();
            var count = 0;
            if (kind == "records")
            {
                await stream.WriteAsync("{\"Records\":["u8.ToArray(), cancellationToken);
            }

            await foreach (var stored in new AuditReader(data.Records).ReadAsync(filter, cancellationToken: cancellationToken))
            {
                if (kind == "records" && count > 0)
                {
                    await stream.WriteAsync(","u8.ToArray(), cancellationToken);
                }

                await stream.WriteAsync(stored.Json, cancellationToken);
                if (kind == "jsonl")
                {
                    await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
                }

                count++;
            }

            if (kind == "records")
            {
                await stream.WriteAsync("]}\n"u8.ToArray(), cancellationToken);
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateQuery()
    {
        var options = new AuditFilterOptions();
        var json = new Option<bool>("--json") { Description = "Print the events as JSON Lines instead of a table." };
        var limit = new Option<int>("--limit") { Description = "Print at most this many (the newest).", DefaultValueFactory = _ => 100 };
        var command = new Command("query", "List the events that match the filters, newest last.");
        options.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(limit);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, async (data, filter) =>
        {
            var max = result.GetValue(limit);
            if (max is < 1 or > 100_000)
            {
                await Console.Error.WriteLineAsync($"--limit must be between 1 and 100000, not {max}.");
                return UsageError;
            }

            var newest = new List<StoredAuditEvent>(Math.Min(max, 1024));
            await foreach (var stored in new AuditReader(data.Records).ReadNewestFirstAsync(filter, cancellationToken: cancellationToken))
            {
                newest.Add(stored);
                if (newest.Count == max)
                {
                    break;
                }
            }

            newest.Reverse(); // printed oldest first

            if (result.GetValue(json))
            {
                foreach (var stored in newest)
                {
                    Console.WriteLine(Encoding.UTF8.GetString(stored.Json.Span));
                }

                return 0;
            }

            Console.WriteLine(string.Join("  ", "SEQ".PadLeft(8), "TIME (UTC)".PadRight(20), "EVENT".PadRight(42), "PRINCIPAL".PadRight(48), "SOURCE".PadRight(15), "ERROR"));
            foreach (var stored in newest)
            {
                var e = stored.Event;
                Console.WriteLine(string.Join("  ",
                    stored.Sequence.ToString(CultureInfo.InvariantCulture).PadLeft(8),
                    e.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture).PadRight(20),
                    (e.EventSource.Split('.')[0] + ":" + e.EventName).PadRight(42),
                    (e.UserIdentity.Arn ?? e.UserIdentity.Type + (e.UserIdentity.AccessKeyId is { } id ? " " + id : "")).PadRight(48),
                    e.SourceIPAddress.PadRight(15),
                    e.ErrorCode ?? "-"));
            }

            Console.WriteLine($"{newest.Count} events.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(AuditFilterOptions options, ParseResult result, Func<OfflineDeployment, AuditEventFilter, Task<int>> run,
        CancellationToken cancellationToken)
    {
        AuditEventFilter filter;
        try
        {
            filter = options.ToFilter(result);
        }
        catch (FormatException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return UsageError;
        }

        OfflineDeployment data;
        try
        {
            data = await options.Deployment.OpenAsync(result, cancellationToken);
        }
        catch (Exception exception) when (DeploymentOptions.IsOpenFailure(exception))
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return UsageError;
        }

        await using (data)
        {
            return await run(data, filter);
        }
    }
}

/// <summary>JSON output settings of the CLI.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
}
