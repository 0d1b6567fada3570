using System.Text;
using Amazon.KeyManagementService.Model;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Hosting;

/// <summary>What survives a restart, and what never reaches the disk in the clear.</summary>
public sealed class PersistenceTests
{
    [Fact]
    public async Task After_a_restart_on_the_same_data_directory_old_ciphertexts_decrypt_with_the_same_credentials()
    {
        await using var server = await TestServer.StartAsync();
        var account = server.Server.Deployment.Account;
        string keyId;
        MemoryStream blob;
        using (var kms = server.Client())
        {
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "durable" })).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/durable", TargetKeyId = keyId });
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/durable", Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("kept")) })).CiphertextBlob;
            await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }

        await server.RestartAsync();
        Assert.Null(server.Server.Deployment.NewAccessKey); // no new credentials on a later start
        Assert.Equal(account, server.Server.Deployment.Account);
        using var again = server.Client();
        var decrypted = await again.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
        Assert.Equal("kept", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        Assert.Equal("durable", (await again.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/durable" })).KeyMetadata.Description);
        Assert.Single((await again.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations);
    }

    [Fact]
    public async Task The_stored_records_never_hold_key_material_secrets_or_plaintext_in_the_clear()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/secret-holder", TargetKeyId = keyId });
        await kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "distinctive-tag", TagValue = "distinctive-value" }] });

        var key = await server.Server.Kms.Resolver.ResolveAsync(
            new Keyhaven.Kms.Accounts.KmsCaller(server.Server.Deployment.Account, server.Region, "test"), keyId, allowAlias: false, CancellationToken.None);
        var secrets = key.Versions.Select(v => v.Material).Append(Encoding.ASCII.GetBytes(server.SecretAccessKey)).ToList();
        Assert.Equal(3, secrets.Count);

        // Check what storage holds while the server runs (SQLite: its WAL included), then again after a restart
        // (SQLite: checkpointed into the main file). On PostgreSQL: every row of the records table, as the database sees it.
        for (var pass = 0; pass < 2; pass++)
        {
            var stored = await server.ReadStoredBytesAsync();
            Assert.NotEmpty(stored);
            // Positive control: record ids are stored in the clear (by design), so the scan does see what was written.
            Assert.Contains(stored, s => s.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(keyId)) >= 0);
            foreach (var (where, bytes) in stored)
            {
                foreach (var secret in secrets)
                {
                    Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"{where} holds a secret in the clear");
                }

                Assert.True(bytes.AsSpan().IndexOf("distinctive-value"u8) < 0, "metadata is sealed by the barrier too");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Enable IAM User Permissions")) < 0, "the key policy is sealed too");
            }

            if (pass == 0)
            {
                await server.RestartAsync();
            }
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_root_key_and_credentials_files_are_readable_only_by_their_owner()
    {
        await using var server = await TestServer.StartAsync();
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(server.Options.ResolvedRootKeyPath));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(server.Options.CredentialsPath));
        Assert.Equal(32, new FileInfo(server.Options.ResolvedRootKeyPath).Length);
        var directoryMode = File.GetUnixFileMode(server.Options.DataDirectory);
        Assert.Equal(UnixFileMode.None, directoryMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
    }

    [Fact]
    public async Task A_server_refuses_to_start_with_a_different_root_key()
    {
        var directory = Path.Combine(Path.GetTempPath(), "keyhaven-test-" + Guid.NewGuid().ToString("N"));
        await using (var first = await TestServer.StartAsync(directory))
        {
            using var kms = first.Client();
            await kms.CreateKeyAsync(new CreateKeyRequest());
        }

        var rootKey = Path.Combine(directory, "root.key");
        File.Delete(rootKey); // a fresh root key will be made, and the keyring will not open with it
        var error = await Assert.ThrowsAsync<Keyhaven.Storage.Barrier.BarrierIntegrityException>(() => TestServer.StartAsync(directory));
        Assert.Contains("root key", error.Message);
        Directory.Delete(directory, recursive: true);
        await TestServer.DeleteStorageAsync(directory);
    }
}
