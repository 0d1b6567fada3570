using System.Security.Cryptography;
using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven encrypt</c> and <c>keyhaven decrypt</c> run as separate processes, as a user runs them.</summary>
public sealed class EncryptionCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyhaven-esdk-cli-").FullName;
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(100_000);

    public EncryptionCommandTests()
    {
        File.WriteAllBytes(P("plain"), _plaintext);
        File.WriteAllBytes(P("aes.key"), RandomNumberGenerator.GetBytes(32));
        File.WriteAllBytes(P("other.key"), RandomNumberGenerator.GetBytes(32));
        using var rsa = RSA.Create(2048);
        File.WriteAllText(P("rsa.pem"), rsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(P("rsa.pub"), rsa.ExportSubjectPublicKeyInfoPem());
    }

    private string P(string name) => Path.Combine(_dir, name);

    private string Aes => $"ns:aes:{P("aes.key")}";

    private static Task<KeyhavenCommand.Result> Run(params string[] arguments) => KeyhavenCommand.RunAsync(arguments);

    [Fact]
    public async Task Files_round_trip_with_raw_aes_and_the_context_is_checked()
    {
        var encrypted = await Run("encrypt", "-i", P("plain"), "-o", P("msg"), "--raw-aes", Aes, "--context", "team=blue", "--frame-length", "1000");
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);
        Assert.Equal(0x02, File.ReadAllBytes(P("msg"))[0]);

        var decrypted = await Run("decrypt", "-i", P("msg"), "-o", P("out"), "--raw-aes", Aes, "--context", "team=blue");
        Assert.True(decrypted.ExitCode == 0, decrypted.Stderr);
        Assert.Equal(_plaintext, File.ReadAllBytes(P("out")));

        var mismatch = await Run("decrypt", "-i", P("msg"), "-o", P("out2"), "--raw-aes", Aes, "--context", "team=red");
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Single(mismatch.Stderr.Trim().Split('\n'));
        Assert.StartsWith("EncryptionContextMismatch:", mismatch.Stderr);
        Assert.False(File.Exists(P("out2")));
    }

    [Fact]
    public async Task Raw_rsa_encrypts_with_the_public_key_and_decrypts_with_the_private_key_over_pipes()
    {
        var encrypted = await KeyhavenBinaryCommand.RunAsync(_plaintext, null, "encrypt", "-i", "-", "-o", "-", "--raw-rsa", $"ns:rsa:{P("rsa.pub")}:oaep-sha256", "--suite", "0478");
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);
        Assert.Equal([0x02, 0x04, 0x78], encrypted.Stdout[..3]);

        var decrypted = await KeyhavenBinaryCommand.RunAsync(encrypted.Stdout, null, "decrypt", "-i", "-", "-o", "-", "--raw-rsa", $"ns:rsa:{P("rsa.pem")}:oaep-sha256");
        Assert.True(decrypted.ExitCode == 0, decrypted.Stderr);
        Assert.Equal(_plaintext, decrypted.Stdout);

        var publicOnly = await KeyhavenBinaryCommand.RunAsync(encrypted.Stdout, null, "decrypt", "-i", "-", "-o", "-", "--raw-rsa", $"ns:rsa:{P("rsa.pub")}:oaep-sha256");
        Assert.Equal(1, publicOnly.ExitCode);
        Assert.StartsWith("NoDecryptableDataKey:", publicOnly.Stderr);
        Assert.Empty(publicOnly.Stdout);
    }

    [Fact]
    public async Task A_failed_decryption_leaves_no_partial_plaintext_and_keeps_an_existing_output_file()
    {
        Assert.Equal(0, (await Run("encrypt", "-i", P("plain"), "-o", P("msg"), "--raw-aes", Aes)).ExitCode);
        var message = File.ReadAllBytes(P("msg"));
        message[^10] ^= 1; // the signature: every frame authenticates, so frames were written before the failure
        File.WriteAllBytes(P("tampered"), message);
        File.WriteAllText(P("existing"), "keep me");

        var result = await Run("decrypt", "-i", P("tampered"), "-o", P("existing"), "--raw-aes", Aes);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("SignatureInvalid:", result.Stderr);
        Assert.Equal("keep me", File.ReadAllText(P("existing")));
        Assert.Equal(["aes.key", "existing", "msg", "other.key", "plain", "rsa.pem", "rsa.pub", "tampered"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());

        File.WriteAllBytes(P("truncated"), File.ReadAllBytes(P("msg"))[..5000]);
        var truncated = await Run("decrypt", "-i", P("truncated"), "-o", P("out"), "--raw-aes", Aes);
        Assert.Equal(1, truncated.ExitCode);
        Assert.StartsWith("TruncatedMessage:", truncated.Stderr);
        Assert.False(File.Exists(P("out")));

        var wrongKey = await Run("decrypt", "-i", P("msg"), "-o", P("out"), "--raw-aes", $"ns:aes:{P("other.key")}");
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.StartsWith("NoDecryptableDataKey:", wrongKey.Stderr);
    }

    [Fact]
    public async Task Suite_commitment_policy_and_data_key_limit_options_apply()
    {
        var legacy = await Run("encrypt", "-i", P("plain"), "-o", P("v1"), "--raw-aes", Aes, "--suite", "0x0178", "--commitment-policy", "forbid-encrypt-allow-decrypt");
        Assert.True(legacy.ExitCode == 0, legacy.Stderr);
        Assert.Equal([0x01, 0x80, 0x01, 0x78], File.ReadAllBytes(P("v1"))[..4]);

        var refused = await Run("decrypt", "-i", P("v1"), "-o", P("out"), "--raw-aes", Aes);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("CommitmentPolicyViolation:", refused.Stderr);
        Assert.Equal(0, (await Run("decrypt", "-i", P("v1"), "-o", P("out"), "--raw-aes", Aes, "--commitment-policy", "require-encrypt-allow-decrypt")).ExitCode);
        Assert.Equal(_plaintext, File.ReadAllBytes(P("out")));

        Assert.Equal(0, (await Run("encrypt", "-i", P("plain"), "-o", P("two"), "--raw-aes", Aes, "--raw-rsa", $"ns:rsa:{P("rsa.pub")}:pkcs1")).ExitCode);
        var limited = await Run("decrypt", "-i", P("two"), "-o", P("out3"), "--raw-rsa", $"ns:rsa:{P("rsa.pem")}:pkcs1", "--max-encrypted-data-keys", "1");
        Assert.Equal(1, limited.ExitCode);
        Assert.StartsWith("TooManyEncryptedDataKeys:", limited.Stderr);
        Assert.Equal(0, (await Run("decrypt", "-i", P("two"), "-o", P("out3"), "--raw-rsa", $"ns:rsa:{P("rsa.pem")}:pkcs1", "--max-encrypted-data-keys", "2")).ExitCode);
    }

    [Theory]
    [InlineData("--suite", "1234")]
    [InlineData("--commitment-policy", "sometimes")]
    [InlineData("--context", "novalue")]
    [InlineData("--raw-rsa", "ns:rsa:missing.pem:oaep-sha7")]
    [InlineData("--frame-length", "0")]
    public async Task Bad_arguments_exit_2_with_one_line(string option, string value)
    {
        var result = await Run("encrypt", "-i", P("plain"), "-o", P("msg"), "--raw-aes", Aes, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(P("msg")));
    }

    [Fact]
    public async Task Kms_keys_of_a_keyhaven_server_wrap_and_unwrap()
    {
        var data = P("server");
        await using var server = await KeyhavenProcess.StartAsync(data);
        var created = await AwsCli.RunAsync(server, "kms", "create-key");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var arn = created.Json.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        Assert.Equal(0, (await AwsCli.RunAsync(server, "kms", "create-alias", "--alias-name", "alias/files", "--target-key-id", arn)).ExitCode);
        var environment = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = server.CredentialsPath, ["AWS_PROFILE"] = "keyhaven", ["AWS_REGION"] = "us-east-1" };

        var encrypted = await KeyhavenBinaryCommand.RunAsync(_plaintext, environment, "encrypt", "-i", "-", "-o", P("kms.msg"), "--kms-key", "alias/files", "--raw-aes", Aes, "--endpoint-url", server.Endpoint, "--context", "k=v");
        Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);
        var decrypted = await KeyhavenBinaryCommand.RunAsync(null, environment, "decrypt", "-i", P("kms.msg"), "-o", "-", "--kms-key", arn, "--endpoint-url", server.Endpoint);
        Assert.True(decrypted.ExitCode == 0, decrypted.Stderr);
        Assert.Equal(_plaintext, decrypted.Stdout);

        var alias = await KeyhavenBinaryCommand.RunAsync(null, environment, "decrypt", "-i", P("kms.msg"), "-o", "-", "--kms-key", "alias/files", "--endpoint-url", server.Endpoint);
        Assert.Equal(2, alias.ExitCode);
        Assert.Contains("must be a key ARN", alias.Stderr);

        var malformed = await KeyhavenBinaryCommand.RunAsync(_plaintext, environment, "encrypt", "-i", "-", "-o", P("bad.msg"), "--kms-key", "arn:aws:kms:us-east-1:key", "--endpoint-url", server.Endpoint);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("is not an AWS KMS key identifier", malformed.Stderr);
        Assert.Single(malformed.Stderr.Trim().Split('\n'));

        var noCredentials = await KeyhavenBinaryCommand.RunAsync(null, new Dictionary<string, string> { ["AWS_REGION"] = "us-east-1", ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = "wrong" }, "decrypt", "-i", P("kms.msg"), "-o", "-", "--kms-key", arn, "--endpoint-url", server.Endpoint);
        Assert.Equal(1, noCredentials.ExitCode);
        Assert.Single(noCredentials.Stderr.Trim().Split('\n'));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
