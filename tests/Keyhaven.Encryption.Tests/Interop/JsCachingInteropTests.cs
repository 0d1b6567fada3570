using System.Text.Json.Nodes;
using Keyhaven.Encryption.Caching;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Interop;

/// <summary>Messages encrypted through the caching CMM (shared data keys and signing keys) decrypt in the JavaScript SDK.</summary>
public sealed class JsCachingInteropTests : IDisposable
{
    private static readonly Dictionary<string, string> Context = new() { ["purpose"] = "caching" };
    private readonly string _folder = Directory.CreateTempSubdirectory("esdk-caching-").FullName;

    [Fact]
    public async Task Messages_from_the_caching_cmm_decrypt_in_the_javascript_sdk()
    {
        using var cache = new LocalCryptographicMaterialsCache(10);
        var cmm = new CachingCryptographicMaterialsManager(Keys.Aes(), cache, TimeSpan.FromMinutes(5), limitMessages: 3);
        var client = new EncryptionClient();
        var jobs = new JsonArray();
        var dataKeys = new List<string>();
        var index = 0;
        foreach (var suite in new[] { AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, AlgorithmSuiteId.AesGcm256HkdfSha512Commit })
        {
            for (var i = 0; i < 4; i++, index++)
            {
                var message = client.Encrypt(Keys.Plaintext(1000 + i), cmm, new EncryptOptions { Suite = suite, EncryptionContext = Context }).Ciphertext;
                dataKeys.Add(MessageInspection.DataKeyId(message));
                await File.WriteAllBytesAsync(Path.Combine(_folder, $"{index}.msg"), message);
                jobs.Add(new JsonObject
                {
                    ["op"] = "decrypt",
                    ["policy"] = JsEncryptionSdk.PolicyName(CommitmentPolicy.RequireEncryptRequireDecrypt),
                    ["keyring"] = JsEncryptionSdk.Aes("key", Keys.AesKey(32)),
                    ["input"] = Path.Combine(_folder, $"{index}.msg"),
                    ["output"] = Path.Combine(_folder, $"{index}.out"),
                });
            }
        }

        // Two suites, four messages each, at most three per data key: two data keys per suite.
        Assert.Equal(4, dataKeys.Distinct().Count());
        var results = await JsEncryptionSdk.RunAsync(jobs);
        for (var i = 0; i < index; i++)
        {
            Assert.True((bool)results[i]!["ok"]!, $"message {i}: {results[i]!["error"]}");
            Assert.Equal(Keys.Plaintext(1000 + (i % 4)), await File.ReadAllBytesAsync(Path.Combine(_folder, $"{i}.out")));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
