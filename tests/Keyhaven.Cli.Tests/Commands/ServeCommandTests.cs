using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven serve</c>: first start, later starts, graceful shutdown, and the AWS CLI working against it.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_first_start_prints_the_credentials_once_and_later_starts_reuse_everything()
    {
        string firstOutput;
        await using (var first = await KeyhavenProcess.StartAsync(_data))
        {
            firstOutput = first.Output;
            Assert.Equal(0, await first.TerminateAsync()); // SIGTERM shuts down gracefully
            Assert.Contains("Shutting down", first.Output);
        }

        var credentials = File.ReadAllText(Path.Combine(_data, "credentials"));
        Assert.Contains("[keyhaven]", credentials);
        var secret = credentials.Split('\n').Single(l => l.StartsWith("aws_secret_access_key", StringComparison.Ordinal)).Split('=')[1].Trim();
        var accessKey = credentials.Split('\n').Single(l => l.StartsWith("aws_access_key_id", StringComparison.Ordinal)).Split('=')[1].Trim();
        Assert.Matches("^AKIA[A-Z2-7]{16}$", accessKey);
        Assert.Equal(40, secret.Length);
        Assert.Contains(secret, firstOutput);
        Assert.True(File.Exists(Path.Combine(_data, "root.key")));
        Assert.True(File.Exists(Path.Combine(_data, "keyhaven.db")));

        await using var second = await KeyhavenProcess.StartAsync(_data);
        Assert.DoesNotContain(secret, second.Output);
        Assert.Equal(credentials, File.ReadAllText(Path.Combine(_data, "credentials")));
        var listed = await AwsCli.RunAsync(second, "kms", "list-keys");
        Assert.Equal(0, listed.ExitCode);
    }

    [Fact]
    public async Task The_aws_cli_works_with_only_the_endpoint_and_the_generated_credentials_file()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data);

        var created = await AwsCli.RunAsync(server, "kms", "create-key", "--description", "from the aws cli");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var keyId = created.Json.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;

        var alias = await AwsCli.RunAsync(server, "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", keyId);
        Assert.True(alias.ExitCode == 0, alias.Stderr);

        var plaintextFile = Path.Combine(_data, "plaintext.txt");
        await File.WriteAllTextAsync(plaintextFile, "hello from the aws cli");
        var encrypted = await AwsCli.RunAsync(server, "kms", "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://" + plaintextFile,
            "--encryption-context", "purpose=test");
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);
        var ciphertextFile = Path.Combine(_data, "ciphertext.bin");
        await File.WriteAllBytesAsync(ciphertextFile, Convert.FromBase64String(encrypted.Json.GetProperty("CiphertextBlob").GetString()!));

        var decrypted = await AwsCli.RunAsync(server, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile,
            "--encryption-context", "purpose=test");
        Assert.True(decrypted.ExitCode == 0, decrypted.Stderr);
        Assert.Equal("hello from the aws cli", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(decrypted.Json.GetProperty("Plaintext").GetString()!)));

        var keys = await AwsCli.RunAsync(server, "kms", "list-keys");
        Assert.Contains(keys.Json.GetProperty("Keys").EnumerateArray(), k => k.GetProperty("KeyId").GetString() == keyId);
        var aliases = await AwsCli.RunAsync(server, "kms", "list-aliases");
        Assert.Contains(aliases.Json.GetProperty("Aliases").EnumerateArray(), a => a.GetProperty("AliasName").GetString() == "alias/cli");

        var wrongContext = await AwsCli.RunAsync(server, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile);
        Assert.NotEqual(0, wrongContext.ExitCode);
        Assert.Contains("InvalidCiphertextException", wrongContext.Stderr);
    }

    [Fact]
    public async Task A_bad_listen_address_is_a_clear_error()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { KeyhavenProcess.CliPath, "serve", "--data", _data, "--listen", "nowhere" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("`nowhere`", stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
