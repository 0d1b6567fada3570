using System.Text.Json;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven attestation verify</c> on the real Nitro documents in ../shared/fixtures/nitro.</summary>
public sealed class AttestationCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keyhaven-attestation-cli").FullName;

    private static string Fixture(string file)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures", "nitro", file));
    }

    [Fact]
    public async Task A_real_document_is_valid_at_its_timestamp_and_the_report_gives_what_policies_need()
    {
        var result = await KeyhavenCommand.RunAsync("attestation", "verify", Fixture("prod-rsa-recipient-2021-03-24.cbor"), "--at", "2021-03-24T16:10:41Z");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.True(report.GetProperty("valid").GetBoolean());
        Assert.False(report.GetProperty("debug").GetBoolean());
        Assert.StartsWith("i-0a6d65e7122308898", report.GetProperty("module_id").GetString());
        Assert.Equal(96, report.GetProperty("pcrs").GetProperty("0").GetString()!.Length);
        Assert.StartsWith("MIIBIjAN", report.GetProperty("public_key").GetString());
        Assert.StartsWith("CN=aws.nitro-enclaves", report.GetProperty("chain").EnumerateArray().Last().GetString());
    }

    [Fact]
    public async Task Today_the_document_is_invalid_because_its_certificates_expired()
    {
        var result = await KeyhavenCommand.RunAsync("attestation", "verify", Fixture("prod-2021-03-17.cbor"));
        Assert.Equal(1, result.ExitCode);
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.False(report.GetProperty("valid").GetBoolean());
        Assert.Contains("expired", report.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Base64_input_a_debug_document_a_wrong_nonce_and_a_foreign_root_are_reported()
    {
        var base64 = Path.Combine(_directory, "debug.b64");
        File.WriteAllText(base64, Convert.ToBase64String(File.ReadAllBytes(Fixture("debug-rsa-recipient-nonce-2024-01-24.cbor"))));
        var debug = await KeyhavenCommand.RunAsync("attestation", "verify", base64, "--at", "2024-01-24T18:14:25Z");
        Assert.Equal(0, debug.ExitCode);
        Assert.True(JsonDocument.Parse(debug.Stdout).RootElement.GetProperty("debug").GetBoolean());

        var nonce = await KeyhavenCommand.RunAsync("attestation", "verify", base64, "--at", "2024-01-24T18:14:25Z", "--nonce", "00ff");
        Assert.Equal(1, nonce.ExitCode);
        Assert.Equal("NonceMismatch", JsonDocument.Parse(nonce.Stdout).RootElement.GetProperty("failure").GetString());

        var otherRoot = Path.Combine(_directory, "root.pem");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=someone else", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            File.WriteAllText(otherRoot, request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-10), DateTimeOffset.UtcNow.AddYears(10)).ExportCertificatePem());
        }

        var untrusted = await KeyhavenCommand.RunAsync("attestation", "verify", base64, "--at", "2024-01-24T18:14:25Z", "--root", otherRoot);
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Equal("UntrustedRoot", JsonDocument.Parse(untrusted.Stdout).RootElement.GetProperty("failure").GetString());

        var garbage = Path.Combine(_directory, "garbage.bin");
        File.WriteAllBytes(garbage, [0x00, 0x01, 0xFE]);
        Assert.Equal(2, (await KeyhavenCommand.RunAsync("attestation", "verify", garbage)).ExitCode);
        Assert.Equal(2, (await KeyhavenCommand.RunAsync("attestation", "verify", Path.Combine(_directory, "missing.cbor"))).ExitCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
