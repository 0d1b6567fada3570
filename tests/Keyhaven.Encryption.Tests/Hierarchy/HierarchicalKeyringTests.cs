using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.KeyManagementService.Model;
using Keyhaven.Encryption.Keyrings.Hierarchy;
using Keyhaven.Encryption.Tests.Interop;
using Keyhaven.Encryption.Tests.Support;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Encryption.Tests.Hierarchy;

/// <summary>
/// The hierarchical keyring and its branch key store against a real Keyhaven server (AWSSDK.KeyManagementService),
/// with branch keys in a folder. spec: framework/aws-kms/aws-kms-hierarchical-keyring.md, framework/branch-key-store.md
/// </summary>
public sealed partial class HierarchicalKeyringTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private const string LogicalName = "keyhaven-branch-keys";
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "acme" };
    private readonly string _folder = Directory.CreateTempSubdirectory("branch-keys-").FullName;
    private readonly ManualClock _clock = new();
    private readonly EncryptionClient _client = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(BranchKeyStore Store, CountingBranchKeyStorage Storage, string KmsArn)> NewStoreAsync()
    {
        var arn = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var storage = new CountingBranchKeyStorage(new DirectoryBranchKeyStorage(_folder));
        return (new BranchKeyStore(fixture.Kms, arn, LogicalName, storage, timeProvider: _clock), storage, arn);
    }

    private AwsKmsHierarchicalKeyring Keyring(BranchKeyStore store, string branchKeyId, int ttlSeconds = 60) =>
        new(store, branchKeyId, TimeSpan.FromSeconds(ttlSeconds), timeProvider: _clock);

    private JsonObject StoredItem(string branchKeyId, string type)
    {
        var file = Path.Combine(_folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(branchKeyId))) + ".json");
        return JsonNode.Parse(File.ReadAllText(file))!["items"]!.AsArray().Single(i => (string)i!["attributes"]!["type"]! == type)!.AsObject();
    }

    [Fact]
    public async Task Branch_keys_are_stored_as_the_specification_defines_and_kms_authenticates_every_attribute()
    {
        var (store, _, arn) = await NewStoreAsync();
        var id = await store.CreateKeyAsync("orders", new Dictionary<string, string> { ["department"] = "sales" });
        Assert.Equal("orders", id);

        var active = StoredItem(id, "branch:ACTIVE")["attributes"]!.AsObject();
        var version = ((string)active["version"]!)["branch:version:".Length..];
        Assert.True(Guid.TryParse(version, out var guid) && guid.Version == 4);
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"), (string)active["create-time"]!);
        Assert.Equal(arn, (string)active["kms-arn"]!);
        Assert.Equal("1", (string)active["hierarchy-version"]!);
        Assert.Equal("sales", (string)active["aws-crypto-ec:department"]!);
        Assert.NotNull(StoredItem(id, "branch:version:" + version));
        Assert.NotNull(StoredItem(id, "beacon:ACTIVE"));

        // spec: branch-key-store.md#encryption-context — KMS decrypts the DECRYPT_ONLY item under exactly these pairs.
        var decryptOnly = StoredItem(id, "branch:version:" + version);
        var context = new Dictionary<string, string>
        {
            ["branch-key-id"] = "orders",
            ["type"] = "branch:version:" + version,
            ["create-time"] = (string)active["create-time"]!,
            ["tablename"] = LogicalName,
            ["kms-arn"] = arn,
            ["hierarchy-version"] = "1",
            ["aws-crypto-ec:department"] = "sales",
        };
        var direct = await fixture.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(Convert.FromBase64String((string)decryptOnly["enc"]!)), EncryptionContext = context });
        Assert.Equal(32, direct.Plaintext.Length);
        context["tablename"] = "another-store";
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => fixture.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(Convert.FromBase64String((string)decryptOnly["enc"]!)), EncryptionContext = context }));

        using var materials = await store.GetActiveBranchKeyAsync(id);
        using var sameVersion = await store.GetBranchKeyVersionAsync(id, version);
        Assert.Equal(version, materials.BranchKeyVersion);
        Assert.Equal(direct.Plaintext.ToArray(), materials.BranchKey);
        Assert.Equal(materials.BranchKey, sameVersion.BranchKey);
        Assert.Equal("sales", materials.EncryptionContext["department"]);
    }

    [Fact]
    public async Task Messages_round_trip_and_carry_the_specified_encrypted_data_key()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        Assert.True(Guid.TryParse(id, out _));
        using var keyring = Keyring(store, id);
        var message = _client.Encrypt(Keys.Plaintext(5000), keyring, new EncryptOptions { EncryptionContext = Context }).Ciphertext;

        var edk = MessageInspection.FirstDataKey(message);
        Assert.Equal("aws-kms-hierarchy", edk.ProviderId);
        Assert.Equal(id, Encoding.UTF8.GetString(edk.ProviderInfo));
        Assert.Equal(16 + 12 + 16 + 32 + 16, edk.Ciphertext.Length);
        using var active = await store.GetActiveBranchKeyAsync(id);
        Assert.Equal(Guid.Parse(active.BranchKeyVersion).ToByteArray(bigEndian: true), edk.Ciphertext[28..44]);

        using var fresh = Keyring(store, id);
        Assert.Equal(Keys.Plaintext(5000), _client.Decrypt(message, fresh).Plaintext);

        var otherId = await store.CreateKeyAsync();
        using var other = Keyring(store, otherId);
        var wrongKey = Assert.Throws<EncryptionSdkException>(() => _client.Decrypt(message, other));
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, wrongKey.Reason);
    }

    [Fact]
    public async Task Versioning_makes_a_new_active_version_and_old_messages_still_decrypt()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync("rotating", new Dictionary<string, string> { ["team"] = "a" });
        using var before = Keyring(store, id);
        var oldMessage = _client.Encrypt(Keys.Plaintext(100), before, new EncryptOptions { EncryptionContext = Context }).Ciphertext;

        await store.VersionKeyAsync(id);
        using var after = Keyring(store, id);
        var newMessage = _client.Encrypt(Keys.Plaintext(200), after, new EncryptOptions { EncryptionContext = Context }).Ciphertext;
        Assert.NotEqual(MessageInspection.FirstDataKey(oldMessage).Ciphertext[28..44], MessageInspection.FirstDataKey(newMessage).Ciphertext[28..44]);
        using (var active = await store.GetActiveBranchKeyAsync(id))
        {
            Assert.Equal("a", active.EncryptionContext["team"]); // the custom context carries over
        }

        using var reader = Keyring(store, id);
        Assert.Equal(Keys.Plaintext(100), _client.Decrypt(oldMessage, reader).Plaintext);
        Assert.Equal(Keys.Plaintext(200), _client.Decrypt(newMessage, reader).Plaintext);

        // A keyring that cached the old version keeps using it until its TTL passes, then moves to the new one.
        var cachedOld = _client.Encrypt(Keys.Plaintext(1), before).Ciphertext;
        Assert.Equal(MessageInspection.FirstDataKey(oldMessage).Ciphertext[28..44], MessageInspection.FirstDataKey(cachedOld).Ciphertext[28..44]);
        _clock.Advance(TimeSpan.FromSeconds(61));
        var refreshed = _client.Encrypt(Keys.Plaintext(1), before).Ciphertext;
        Assert.Equal(MessageInspection.FirstDataKey(newMessage).Ciphertext[28..44], MessageInspection.FirstDataKey(refreshed).Ciphertext[28..44]);
    }

    [Fact]
    public async Task Branch_keys_are_cached_for_the_ttl()
    {
        var (store, storage, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        using var keyring = Keyring(store, id, ttlSeconds: 30);
        var messages = Enumerable.Range(0, 3).Select(_ => _client.Encrypt(Keys.Plaintext(10), keyring).Ciphertext).ToList();
        Assert.Equal(1, storage.Reads);
        _clock.Advance(TimeSpan.FromSeconds(29));
        _client.Encrypt(Keys.Plaintext(10), keyring);
        Assert.Equal(1, storage.Reads);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _client.Encrypt(Keys.Plaintext(10), keyring);
        Assert.Equal(2, storage.Reads);

        foreach (var message in messages)
        {
            _client.Decrypt(message, keyring);
        }

        Assert.Equal(3, storage.Reads); // one read of the version item, then cached
        _clock.Advance(TimeSpan.FromSeconds(31));
        _client.Decrypt(messages[0], keyring);
        Assert.Equal(4, storage.Reads);
    }

    [Fact]
    public async Task Changed_items_and_foreign_kms_keys_are_refused()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        var file = Directory.GetFiles(_folder, "*.json").Single(f => File.ReadAllText(f).Contains(id, StringComparison.Ordinal));
        var original = await File.ReadAllTextAsync(file);
        var root = JsonNode.Parse(original)!;
        var active = root["items"]!.AsArray().Single(i => (string)i!["attributes"]!["type"]! == "branch:ACTIVE")!;
        active["attributes"]!["create-time"] = "2020-01-01T00:00:00.000000Z";
        await File.WriteAllTextAsync(file, root.ToJsonString());
        var changed = await Assert.ThrowsAsync<EncryptionSdkException>(() => store.GetActiveBranchKeyAsync(id));
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, changed.Reason);
        await File.WriteAllTextAsync(file, "{\"format\":1,\"items\":[{\"attributes\":7}]}");
        var unreadable = await Assert.ThrowsAsync<EncryptionSdkException>(() => store.GetActiveBranchKeyAsync(id));
        Assert.Contains("unreadable", unreadable.Message);
        await File.WriteAllTextAsync(file, original);

        var otherArn = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var foreign = new BranchKeyStore(fixture.Kms, otherArn, LogicalName, new DirectoryBranchKeyStorage(_folder));
        var refused = await Assert.ThrowsAsync<EncryptionSdkException>(() => foreign.GetActiveBranchKeyAsync(id));
        Assert.Contains("not by this store's KMS key", refused.Message);

        // The logical store name is bound too: the same items under another name fail to decrypt.
        var renamed = new BranchKeyStore(fixture.Kms, store.KmsKeyArn, "another-store", new DirectoryBranchKeyStorage(_folder));
        await Assert.ThrowsAsync<EncryptionSdkException>(() => renamed.GetActiveBranchKeyAsync(id));
        using var restored = await store.GetActiveBranchKeyAsync(id);
        Assert.Equal(32, restored.BranchKey.Length);
    }

    [Fact]
    public async Task Create_key_refuses_duplicates_and_ids_without_context_and_aliases()
    {
        var (store, _, _) = await NewStoreAsync();
        await store.CreateKeyAsync("dup", new Dictionary<string, string>());
        var duplicate = await Assert.ThrowsAsync<EncryptionSdkException>(() => store.CreateKeyAsync("dup", new Dictionary<string, string>()));
        Assert.Contains("already exists", duplicate.Message);
        await Assert.ThrowsAsync<EncryptionSdkException>(() => store.CreateKeyAsync("no-context"));
        Assert.Throws<ArgumentException>(() => new BranchKeyStore(fixture.Kms, "alias/x", LogicalName, new DirectoryBranchKeyStorage(_folder)));
        var missing = await Assert.ThrowsAsync<EncryptionSdkException>(() => store.VersionKeyAsync("never-created"));
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, missing.Reason);
    }

    [Fact]
    public async Task A_supplier_picks_the_branch_key_from_the_encryption_context()
    {
        var (store, _, _) = await NewStoreAsync();
        var a = await store.CreateKeyAsync("tenant-a", new Dictionary<string, string>());
        var b = await store.CreateKeyAsync("tenant-b", new Dictionary<string, string>());
        using var keyring = new AwsKmsHierarchicalKeyring(store, new TenantSupplier(), TimeSpan.FromMinutes(1));
        var forA = _client.Encrypt(Keys.Plaintext(10), keyring, new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "a" } }).Ciphertext;
        var forB = _client.Encrypt(Keys.Plaintext(10), keyring, new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "b" } }).Ciphertext;
        Assert.Equal(a, Encoding.UTF8.GetString(MessageInspection.FirstDataKey(forA).ProviderInfo));
        Assert.Equal(b, Encoding.UTF8.GetString(MessageInspection.FirstDataKey(forB).ProviderInfo));
        Assert.Equal(Keys.Plaintext(10), _client.Decrypt(forB, keyring).Plaintext);
    }

    [Fact]
    public async Task Concurrent_versioning_never_loses_a_version()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                await store.VersionKeyAsync(id);
                return true;
            }
            catch (EncryptionSdkException e) when (e.Message.Contains("another writer", StringComparison.Ordinal))
            {
                return false;
            }
        }));
        var file = Directory.GetFiles(_folder, "*.json").Single(f => File.ReadAllText(f).Contains(id, StringComparison.Ordinal));
        var versions = JsonNode.Parse(File.ReadAllText(file))!["items"]!.AsArray().Count(i => ((string)i!["attributes"]!["type"]!).StartsWith("branch:version:", StringComparison.Ordinal));
        Assert.Equal(1 + outcomes.Count(o => o), versions);
        Assert.Contains(true, outcomes);
    }

    [Fact]
    public async Task Messages_interchange_with_the_javascript_sdk_hierarchical_keyring()
    {
        var (store, _, arn) = await NewStoreAsync();
        var id = await store.CreateKeyAsync("js-interop", new Dictionary<string, string> { ["app"] = "interop" });
        using var keyring = Keyring(store, id);
        var jsKeyring = new JsonObject
        {
            ["type"] = "hierarchy",
            ["folder"] = _folder,
            ["branchKeyId"] = id,
            ["logicalKeyStoreName"] = LogicalName,
            ["kmsArn"] = arn,
            ["endpoint"] = fixture.Server.Server.Endpoint.ToString().TrimEnd('/'),
            ["region"] = fixture.Server.Region,
            ["accessKeyId"] = fixture.Server.AccessKeyId,
            ["secretAccessKey"] = fixture.Server.SecretAccessKey,
        };
        var work = Directory.CreateTempSubdirectory("hierarchy-interop-").FullName;
        try
        {
            var ours = _client.Encrypt(Keys.Plaintext(3000), keyring, new EncryptOptions { EncryptionContext = Context }).Ciphertext;
            await File.WriteAllBytesAsync(Path.Combine(work, "dotnet.msg"), ours);
            await File.WriteAllBytesAsync(Path.Combine(work, "plain"), Keys.Plaintext(3000));
            var results = await JsEncryptionSdk.RunAsync(
            [
                new JsonObject { ["op"] = "decrypt", ["keyring"] = jsKeyring.DeepClone(), ["input"] = Path.Combine(work, "dotnet.msg"), ["output"] = Path.Combine(work, "dotnet.out") },
                new JsonObject { ["op"] = "encrypt", ["keyring"] = jsKeyring.DeepClone(), ["context"] = new JsonObject { ["tenant"] = "acme" }, ["input"] = Path.Combine(work, "plain"), ["output"] = Path.Combine(work, "js.msg") },
            ]);
            foreach (var result in results)
            {
                Assert.True((bool)result!["ok"]!, (string?)result["error"]);
            }

            Assert.Equal(Keys.Plaintext(3000), await File.ReadAllBytesAsync(Path.Combine(work, "dotnet.out")));
            var fromJs = await File.ReadAllBytesAsync(Path.Combine(work, "js.msg"));
            Assert.Equal("aws-kms-hierarchy", MessageInspection.FirstDataKey(fromJs).ProviderId);
            using var reader = Keyring(store, id);
            var decrypted = _client.Decrypt(fromJs, reader, new DecryptOptions { EncryptionContext = Context });
            Assert.Equal(Keys.Plaintext(3000), decrypted.Plaintext);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private sealed class TenantSupplier : IBranchKeyIdSupplier
    {
        public string GetBranchKeyId(IReadOnlyDictionary<string, string> encryptionContext) => "tenant-" + encryptionContext["tenant"];
    }
}
