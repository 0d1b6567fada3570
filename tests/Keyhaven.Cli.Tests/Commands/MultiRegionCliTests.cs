using Keyhaven.Cli.Tests.Infrastructure;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven serve --region</c> with several regions, and multi-Region keys driven by the AWS CLI in each of them.</summary>
public sealed class MultiRegionCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_aws_cli_replicates_a_key_and_decrypts_in_the_replica_region_what_the_primary_encrypted()
    {
        await using var server = await KeyhavenProcess.StartAsync(_data, "--region", "us-east-1,eu-west-1");
        Assert.Contains("in us-east-1, eu-west-1 at", server.Output);

        var created = await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "create-key", "--multi-region", "--region", "us-east-1"));
        var keyId = created.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        Assert.StartsWith("mrk-", keyId);

        var replicated = await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "replicate-key", "--key-id", keyId, "--replica-region", "eu-west-1",
            "--description", "replica from the aws cli", "--region", "us-east-1"));
        var replica = replicated.GetProperty("ReplicaKeyMetadata");
        Assert.EndsWith($":eu-west-1:{replica.GetProperty("AWSAccountId").GetString()}:key/{keyId}", replica.GetProperty("Arn").GetString());
        Assert.Equal("REPLICA", replica.GetProperty("MultiRegionConfiguration").GetProperty("MultiRegionKeyType").GetString());

        var plaintextFile = Path.Combine(_data, "plaintext.txt");
        await File.WriteAllTextAsync(plaintextFile, "from us-east-1 to eu-west-1");
        var encrypted = await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "encrypt", "--key-id", keyId, "--plaintext", "fileb://" + plaintextFile, "--region", "us-east-1"));
        var ciphertextFile = Path.Combine(_data, "ciphertext.bin");
        await File.WriteAllBytesAsync(ciphertextFile, Convert.FromBase64String(encrypted.GetProperty("CiphertextBlob").GetString()!));

        var decrypted = await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile, "--region", "eu-west-1"));
        Assert.Equal("from us-east-1 to eu-west-1", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(decrypted.GetProperty("Plaintext").GetString()!)));
        Assert.Contains(":eu-west-1:", decrypted.GetProperty("KeyId").GetString());

        var described = await AwsCli.Ok(AwsCli.RunAsync(server, "kms", "describe-key", "--key-id", keyId, "--region", "us-east-1"));
        var replicas = described.GetProperty("KeyMetadata").GetProperty("MultiRegionConfiguration").GetProperty("ReplicaKeys");
        Assert.Equal("eu-west-1", Assert.Single(replicas.EnumerateArray()).GetProperty("Region").GetString());

        // A region the server does not answer for is refused at authentication.
        var elsewhere = await AwsCli.RunAsync(server, "kms", "list-keys", "--region", "ap-south-1");
        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.Contains("InvalidSignatureException", elsewhere.Stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
