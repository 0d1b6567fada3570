using System.Text;
using Keyhaven.Cli.Tests.Infrastructure;
using Keyhaven.Storage.Tests.Support;

namespace Keyhaven.Cli.Tests.Commands;

/// <summary><c>keyhaven storage copy</c>: a deployment moves from its SQLite file to PostgreSQL, and everything still works.</summary>
public sealed class StorageCommandTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "keyhaven-cli-" + Guid.NewGuid().ToString("N"));
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Copy_from_sqlite_to_postgres_moves_the_deployment_and_ciphertexts_made_before_decrypt_after()
    {
        var plaintextFile = Path.Combine(Path.GetTempPath(), "keyhaven-copy-" + Guid.NewGuid().ToString("N"));
        var ciphertextFile = plaintextFile + ".enc";
        await File.WriteAllTextAsync(plaintextFile, "made on sqlite");
        try
        {
            await using (var before = await KeyhavenProcess.StartAsync(_data))
            {
                var created = await AwsCli.RunAsync(before, "kms", "create-key", "--description", "moved");
                Assert.True(created.ExitCode == 0, created.Stderr);
                var keyId = created.Json.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
                Assert.Equal(0, (await AwsCli.RunAsync(before, "kms", "create-alias", "--alias-name", "alias/moved", "--target-key-id", keyId)).ExitCode);
                Assert.Equal(0, (await AwsCli.RunAsync(before, "kms", "enable-key-rotation", "--key-id", keyId)).ExitCode);
                var encrypted = await AwsCli.RunAsync(before, "kms", "encrypt", "--key-id", "alias/moved", "--plaintext", "fileb://" + plaintextFile);
                Assert.True(encrypted.ExitCode == 0, encrypted.Stderr);
                await File.WriteAllBytesAsync(ciphertextFile, Convert.FromBase64String(encrypted.Json.GetProperty("CiphertextBlob").GetString()!));
                Assert.Equal(0, await before.TerminateAsync());
            }

            var copy = await KeyhavenCommand.RunAsync("storage", "copy", "--from", "sqlite://" + Path.Combine(_data, "keyhaven.db"), "--to", _database.ConnectionString);
            Assert.True(copy.ExitCode == 0, copy.Stderr);
            Assert.Matches(@"^Copied \d+ records in \d+ tables from SQLite database .* to PostgreSQL database keyhaven_test_", copy.Stdout);

            // The same data directory (root key, credentials file), now on PostgreSQL.
            await using var after = await KeyhavenProcess.StartAsync(_data, "--storage", _database.ConnectionString);
            Assert.Contains("records in PostgreSQL database", after.Output);
            var decrypted = await AwsCli.RunAsync(after, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile);
            Assert.True(decrypted.ExitCode == 0, decrypted.Stderr);
            Assert.Equal("made on sqlite", Encoding.UTF8.GetString(Convert.FromBase64String(decrypted.Json.GetProperty("Plaintext").GetString()!)));
            var described = await AwsCli.RunAsync(after, "kms", "describe-key", "--key-id", "alias/moved");
            Assert.True(described.ExitCode == 0, described.Stderr);
            Assert.Equal("moved", described.Json.GetProperty("KeyMetadata").GetProperty("Description").GetString());
            var rotation = await AwsCli.RunAsync(after, "kms", "get-key-rotation-status", "--key-id", described.Json.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!);
            Assert.True(rotation.ExitCode == 0, rotation.Stderr);
            Assert.True(rotation.Json.GetProperty("KeyRotationEnabled").GetBoolean());

            // A second copy into the now non-empty database is refused.
            var again = await KeyhavenCommand.RunAsync("storage", "copy", "--from", "sqlite://" + Path.Combine(_data, "keyhaven.db"), "--to", _database.ConnectionString);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("empty", again.Stderr);
        }
        finally
        {
            File.Delete(plaintextFile);
            File.Delete(ciphertextFile);
        }
    }

    [Fact]
    public async Task An_unknown_location_is_refused_without_echoing_a_password()
    {
        var result = await KeyhavenCommand.RunAsync("storage", "copy", "--from", "mysql://u:hunter2@db/k", "--to", "sqlite:///tmp/x.db");

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("hunter2", result.Stderr + result.Stdout);
    }
}
