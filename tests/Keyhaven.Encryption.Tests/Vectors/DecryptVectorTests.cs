using System.IO.Compression;
using System.Text.Json;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Vectors;

/// <summary>
/// The AWS Encryption SDK decrypt vectors in ../shared/fixtures/esdk (manifest "awses-decrypt" version 4, raw AES
/// keys, required-encryption-context CMM). spec: framework/test-vectors/decryption-manifest.md
/// </summary>
public sealed class DecryptVectorTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var zip in Directory.GetFiles(Path.Combine(Repository.Fixtures, "esdk"), "*.zip"))
        {
            using var archive = ZipFile.OpenRead(zip);
            using var manifest = JsonDocument.Parse(ReadEntry(archive, "manifest.json"));
            foreach (var test in manifest.RootElement.GetProperty("tests").EnumerateObject())
            {
                data.Add(Path.GetFileName(zip), test.Name);
            }
        }

        return data;
    }

    [Fact]
    public void There_are_vectors_for_every_suite_the_fixture_names()
    {
        var names = Vectors().Select(row => (string)row[1]).ToList();
        Assert.Equal(5, names.Count);
        foreach (var prefix in new[] { "0014", "0046", "0078", "0478", "0578" })
        {
            Assert.Contains(names, n => n.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Vector_decrypts_to_the_expected_plaintext(string zip, string name)
    {
        var vector = Load(zip, name);
        var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.RequireEncryptAllowDecrypt });
        var options = new DecryptOptions { EncryptionContext = vector.Context };

        var result = await client.DecryptAsync(vector.Ciphertext, vector.Cmm, options);
        Assert.Equal(vector.Plaintext, result.Plaintext);
        Assert.Equal((ushort)result.Suite, Convert.ToUInt16(name[..4], 16));
        foreach (var (key, value) in vector.Context)
        {
            Assert.Equal(value, result.EncryptionContext[key]);
        }

        await using var stream = client.CreateDecryptingStream(new MemoryStream(vector.Ciphertext), vector.Cmm, options);
        using var plaintext = new MemoryStream();
        await stream.CopyToAsync(plaintext);
        Assert.Equal(vector.Plaintext, plaintext.ToArray());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Vector_without_its_required_context_is_refused(string zip, string name)
    {
        var vector = Load(zip, name);
        var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = CommitmentPolicy.RequireEncryptAllowDecrypt });
        var withoutKey2 = vector.Context.Where(p => p.Key != "key2").ToDictionary();

        var missing = await Assert.ThrowsAsync<EncryptionSdkException>(() => client.DecryptAsync(vector.Ciphertext, vector.Cmm, new DecryptOptions { EncryptionContext = withoutKey2 }).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.EncryptionContextMismatch, missing.Reason);

        // The default CMM with a wrong reproduced value: the header (or the data key) does not authenticate.
        var wrong = new Dictionary<string, string>(vector.Context) { ["key2"] = "other" };
        var failed = await Assert.ThrowsAsync<EncryptionSdkException>(() => client.DecryptAsync(vector.Ciphertext, new DefaultCryptographicMaterialsManager(vector.Keyring), new DecryptOptions { EncryptionContext = wrong }).AsTask());
        Assert.Contains(failed.Reason, new[] { EncryptionSdkErrorReason.NoDecryptableDataKey, EncryptionSdkErrorReason.AuthenticationFailed });
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Non_committing_vectors_are_refused_under_the_default_policy(string zip, string name)
    {
        var vector = Load(zip, name);
        var client = new EncryptionClient();
        var committing = name.StartsWith("04", StringComparison.Ordinal) || name.StartsWith("05", StringComparison.Ordinal);
        var task = client.DecryptAsync(vector.Ciphertext, vector.Cmm, new DecryptOptions { EncryptionContext = vector.Context }).AsTask();
        if (committing)
        {
            await task;
        }
        else
        {
            var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => task);
            Assert.Equal(EncryptionSdkErrorReason.CommitmentPolicyViolation, e.Reason);
        }
    }

    private sealed record Vector(byte[] Ciphertext, byte[] Plaintext, IReadOnlyDictionary<string, string> Context, IKeyring Keyring, ICryptographicMaterialsManager Cmm);

    private static Vector Load(string zip, string name)
    {
        using var archive = ZipFile.OpenRead(Path.Combine(Repository.Fixtures, "esdk", zip));
        using var manifest = JsonDocument.Parse(ReadEntry(archive, "manifest.json"));
        using var keys = JsonDocument.Parse(ReadEntry(archive, "keys.json"));
        var test = manifest.RootElement.GetProperty("tests").GetProperty(name);
        var keyrings = new List<IKeyring>();
        foreach (var masterKey in test.GetProperty("master-keys").EnumerateArray())
        {
            Assert.Equal("raw", masterKey.GetProperty("type").GetString());
            Assert.Equal("aes", masterKey.GetProperty("encryption-algorithm").GetString());
            var key = keys.RootElement.GetProperty("keys").GetProperty(masterKey.GetProperty("key").GetString()!);
            Assert.Equal("base64", key.GetProperty("encoding").GetString());
            keyrings.Add(new RawAesKeyring(masterKey.GetProperty("provider-id").GetString()!, key.GetProperty("key-id").GetString()!, Convert.FromBase64String(key.GetProperty("material").GetString()!)));
        }

        var context = test.GetProperty("encryption-context").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        IKeyring keyring = keyrings.Count == 1 ? keyrings[0] : new MultiKeyring(keyrings[0], keyrings[1..]);
        ICryptographicMaterialsManager cmm = test.GetProperty("cmm").GetString() switch
        {
            "RequiredEncryptionContext" => new RequiredEncryptionContextCryptographicMaterialsManager(keyring, context.Keys),
            "Default" => new DefaultCryptographicMaterialsManager(keyring),
            var other => throw new InvalidOperationException($"Unknown CMM {other}"),
        };
        return new Vector(
            ReadEntry(archive, FileName(test.GetProperty("ciphertext").GetString()!)),
            ReadEntry(archive, FileName(test.GetProperty("result").GetProperty("output").GetProperty("plaintext").GetString()!)),
            context,
            keyring,
            cmm);
    }

    private static string FileName(string uri) => uri["file://".Length..];

    private static byte[] ReadEntry(ZipArchive archive, string path)
    {
        var entry = archive.Entries.Single(e => e.FullName.TrimStart('.', '/') == path);
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
