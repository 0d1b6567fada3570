using System.Diagnostics;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Iam;

/// <summary>
/// Runs <c>/usr/bin/aws</c> like <see cref="AwsCli"/> (clean environment, <c>--endpoint-url</c>), but signing with the
/// given credentials (an IAM user's key, or a role session's key and token) from a credentials file of its own.
/// </summary>
public static class AwsCliAs
{
    public sealed record Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);

    public static async Task<AwsCli.Result> RunAsync(KeyhavenProcess server, Credentials credentials, params string[] arguments)
    {
        var home = Directory.CreateTempSubdirectory("keyhaven-awscli-as").FullName;
        try
        {
            var file = Path.Combine(home, "credentials");
            await File.WriteAllTextAsync(file, $"[as]\naws_access_key_id = {credentials.AccessKeyId}\naws_secret_access_key = {credentials.SecretAccessKey}\n"
                + (credentials.SessionToken is null ? "" : $"aws_session_token = {credentials.SessionToken}\n") + "region = us-east-1\n");
            var start = new ProcessStartInfo(AwsCli.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(name);
            }

            start.Environment["HOME"] = home;
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = file;
            start.Environment["AWS_PROFILE"] = "as";
            start.Environment["AWS_PAGER"] = "";
            foreach (var argument in arguments.Concat(["--endpoint-url", server.Endpoint, "--output", "json"]))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return new AwsCli.Result(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
