using System.Diagnostics;
using System.Text.Json;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>
/// Runs Debian's AWS CLI v2 (<c>/usr/bin/aws</c>) with a clean environment: only the credentials file and profile
/// that Keyhaven wrote, and <c>--endpoint-url</c>. Nothing else is configured, as the README promises.
/// </summary>
public static class AwsCli
{
    public const string Path = "/usr/bin/aws";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();
    }

    /// <summary>Awaits <paramref name="run"/>, asserts the CLI succeeded and returns its JSON output (default when none is expected).</summary>
    public static async Task<JsonElement> Ok(Task<Result> run, bool expectOutput = true)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"aws exited {result.ExitCode}: {result.Stderr}");
        return expectOutput ? result.Json : default;
    }

    public static Task<Result> RunAsync(KeyhavenProcess server, params string[] arguments) => RunAsync(server, new Uri(server.Endpoint), arguments);

    /// <summary>Runs the CLI against <paramref name="endpoint"/> (e.g. a VPC endpoint's listener) with the server's credentials.</summary>
    public static async Task<Result> RunAsync(KeyhavenProcess server, Uri endpoint, params string[] arguments)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: install Debian's awscli package (.ci/run does).");
        var home = Directory.CreateTempSubdirectory("keyhaven-awscli-home").FullName;
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = home;
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = server.CredentialsPath;
        start.Environment["AWS_PROFILE"] = "keyhaven";
        start.Environment["AWS_PAGER"] = "";
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json"]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Directory.Delete(home, recursive: true);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
