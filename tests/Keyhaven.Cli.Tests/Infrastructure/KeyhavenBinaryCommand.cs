using System.Diagnostics;

namespace Keyhaven.Cli.Tests.Infrastructure;

/// <summary>
/// Runs one <c>keyhaven</c> command with bytes on standard input and captures standard output as bytes, with only
/// the given AWS environment variables (for <c>encrypt</c>/<c>decrypt</c> over pipes).
/// </summary>
public static class KeyhavenBinaryCommand
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    public static async Task<Result> RunAsync(byte[]? stdin, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(KeyhavenProcess.CliPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program stopped reading (it may fail on the header before the rest arrives): its exit code and
            // stderr below tell what happened.
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await copyOut;
        return new Result(process.ExitCode, stdout.ToArray(), await stderr);
    }
}
