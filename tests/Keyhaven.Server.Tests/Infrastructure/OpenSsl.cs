using System.Diagnostics;

namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>openssl</c> command (OpenSSL 3.0 on this platform) in a temporary working directory, so that
/// interop tests check Keyhaven's output with an independent implementation. Dispose deletes the directory.
/// </summary>
public sealed class OpenSsl : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("keyhaven-openssl").FullName;

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Writes a file in the working directory and returns its name.</summary>
    public string Write(string name, byte[] contents)
    {
        File.WriteAllBytes(Path.Combine(Directory, name), contents);
        return name;
    }

    /// <summary>Writes a DER SubjectPublicKeyInfo as a PEM public key file.</summary>
    public string WritePublicKey(string name, byte[] subjectPublicKeyInfo)
    {
        File.WriteAllText(Path.Combine(Directory, name), new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", subjectPublicKeyInfo)) + "\n");
        return name;
    }

    public byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public async Task<Result> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start: is the openssl package installed?");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs openssl and fails the test with its output unless it exits 0.</summary>
    public async Task<Result> OkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stdout} {result.Stderr}");
        return result;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
