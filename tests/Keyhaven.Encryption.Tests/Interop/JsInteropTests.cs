using System.Text.Json.Nodes;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Interop;

/// <summary>
/// Messages interchange with the AWS Encryption SDK for JavaScript in both directions: every suite, raw AES of each
/// size, raw RSA with each padding, multi-keyrings, framed and non-framed, required encryption context.
/// </summary>
public sealed class JsInteropTests : IDisposable
{
    private static readonly Dictionary<string, string> Context = new() { ["purpose"] = "interop", ["unicode"] = "héllo ✓ 😀" };
    private readonly string _folder = Directory.CreateTempSubdirectory("esdk-interop-").FullName;

    private sealed record Case(string Name, AlgorithmSuiteId Suite, Func<IKeyring> DotNetEncrypt, Func<IKeyring> DotNetDecrypt, JsonObject JsEncrypt, JsonObject JsDecrypt, int FrameLength = 4096, int Length = 10_000);

    private static IEnumerable<Case> Cases()
    {
        var aes = Keys.AesKey(32);
        foreach (var suite in AlgorithmSuite.All)
        {
            yield return new($"suite-{suite}", suite.Id, () => Keys.Aes(), () => Keys.Aes(), JsEncryptionSdk.Aes("key", aes), JsEncryptionSdk.Aes("key", aes));
        }

        foreach (var size in new[] { 16, 24 })
        {
            yield return new($"aes-{size * 8}", AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, () => Keys.Aes(size), () => Keys.Aes(size), JsEncryptionSdk.Aes("key", Keys.AesKey(size)), JsEncryptionSdk.Aes("key", Keys.AesKey(size)));
        }

        foreach (var (padding, name) in new[] { (RsaPadding.Pkcs1, "pkcs1"), (RsaPadding.OaepSha1, "oaep-sha1"), (RsaPadding.OaepSha256, "oaep-sha256"), (RsaPadding.OaepSha384, "oaep-sha384"), (RsaPadding.OaepSha512, "oaep-sha512") })
        {
            yield return new($"rsa-{name}", AlgorithmSuiteId.AesGcm256HkdfSha512Commit, () => Keys.RsaPublic(padding), () => Keys.RsaPrivate(padding), JsEncryptionSdk.Rsa(name, withPrivateKey: false), JsEncryptionSdk.Rsa(name, withPrivateKey: true));
        }

        yield return new("multi", AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384,
            () => new MultiKeyring(Keys.Aes(32, "gen"), [Keys.RsaPublic(RsaPadding.OaepSha256)]),
            () => Keys.RsaPrivate(RsaPadding.OaepSha256),
            JsEncryptionSdk.Multi(JsEncryptionSdk.Aes("gen", aes), JsEncryptionSdk.Rsa("oaep-sha256", withPrivateKey: false)),
            JsEncryptionSdk.Rsa("oaep-sha256", withPrivateKey: true));
        yield return new("multi-generator-side", AlgorithmSuiteId.AesGcm256HkdfSha512Commit,
            () => new MultiKeyring(Keys.Aes(32, "gen"), [Keys.Aes(16, "child")]),
            () => Keys.Aes(32, "gen"),
            JsEncryptionSdk.Multi(JsEncryptionSdk.Aes("gen", aes), JsEncryptionSdk.Aes("child", Keys.AesKey(16))),
            JsEncryptionSdk.Aes("gen", aes));
        yield return new("small-frames", AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, () => Keys.Aes(), () => Keys.Aes(), JsEncryptionSdk.Aes("key", aes), JsEncryptionSdk.Aes("key", aes), FrameLength: 100, Length: 1000);
        yield return new("non-framed", AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, () => Keys.Aes(), () => Keys.Aes(), JsEncryptionSdk.Aes("key", aes), JsEncryptionSdk.Aes("key", aes), FrameLength: 0);
        yield return new("empty", AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, () => Keys.Aes(), () => Keys.Aes(), JsEncryptionSdk.Aes("key", aes), JsEncryptionSdk.Aes("key", aes), Length: 0);
    }

    private static CommitmentPolicy PolicyFor(AlgorithmSuiteId id) =>
        AlgorithmSuite.FromId(id).IsCommitting ? CommitmentPolicy.RequireEncryptRequireDecrypt : CommitmentPolicy.ForbidEncryptAllowDecrypt;

    [Fact]
    public async Task Messages_encrypted_here_decrypt_in_the_javascript_sdk()
    {
        var cases = Cases().ToList();
        var jobs = new JsonArray();
        foreach (var c in cases)
        {
            var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = PolicyFor(c.Suite) });
            var message = client.Encrypt(Keys.Plaintext(c.Length), c.DotNetEncrypt(), new EncryptOptions { Suite = c.Suite, FrameLength = c.FrameLength, EncryptionContext = Context }).Ciphertext;
            await File.WriteAllBytesAsync(Path.Combine(_folder, c.Name + ".msg"), message);
            jobs.Add(new JsonObject
            {
                ["op"] = "decrypt",
                ["policy"] = JsEncryptionSdk.PolicyName(PolicyFor(c.Suite)),
                ["keyring"] = c.JsDecrypt.DeepClone(),
                ["input"] = Path.Combine(_folder, c.Name + ".msg"),
                ["output"] = Path.Combine(_folder, c.Name + ".out"),
            });
        }

        var results = await JsEncryptionSdk.RunAsync(jobs);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            Assert.True((bool)results[i]!["ok"]!, $"{c.Name}: {results[i]!["error"]}");
            Assert.Equal((int)c.Suite, (int)results[i]!["suite"]!);
            Assert.Equal("héllo ✓ 😀", (string)results[i]!["context"]!["unicode"]!);
            Assert.Equal(Keys.Plaintext(c.Length), await File.ReadAllBytesAsync(Path.Combine(_folder, c.Name + ".out")));
        }
    }

    [Fact]
    public async Task Messages_encrypted_by_the_javascript_sdk_decrypt_here()
    {
        // The JavaScript SDK writes framed messages only.
        var cases = Cases().Where(c => c.FrameLength > 0).ToList();
        var jobs = new JsonArray();
        foreach (var c in cases)
        {
            await File.WriteAllBytesAsync(Path.Combine(_folder, c.Name + ".in"), Keys.Plaintext(c.Length));
            jobs.Add(new JsonObject
            {
                ["op"] = "encrypt",
                ["policy"] = JsEncryptionSdk.PolicyName(PolicyFor(c.Suite)),
                ["keyring"] = c.JsEncrypt.DeepClone(),
                ["suite"] = (int)c.Suite,
                ["frameLength"] = c.FrameLength,
                ["context"] = new JsonObject(Context.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["input"] = Path.Combine(_folder, c.Name + ".in"),
                ["output"] = Path.Combine(_folder, c.Name + ".msg"),
            });
        }

        var results = await JsEncryptionSdk.RunAsync(jobs);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            Assert.True((bool)results[i]!["ok"]!, $"{c.Name}: {results[i]!["error"]}");
            var message = await File.ReadAllBytesAsync(Path.Combine(_folder, c.Name + ".msg"));
            var client = new EncryptionClient(new EncryptionClientOptions { CommitmentPolicy = PolicyFor(c.Suite) });
            var decrypted = await client.DecryptAsync(message, c.DotNetDecrypt(), new DecryptOptions { EncryptionContext = Context });
            Assert.Equal(Keys.Plaintext(c.Length), decrypted.Plaintext);
            Assert.Equal(c.Suite, decrypted.Suite);

            await using var stream = client.CreateDecryptingStream(new MemoryStream(message), c.DotNetDecrypt());
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(Keys.Plaintext(c.Length), copy.ToArray());
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
