using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Keyhaven.Encryption.Keyrings.Kms;
using Keyhaven.Encryption.Tests.Interop;
using Keyhaven.Encryption.Tests.Support;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Encryption.Tests.Kms;

/// <summary>
/// The AWS Encryption SDK for JavaScript's KMS keyrings (over the AWS SDK for JavaScript v3) pointed at a Keyhaven
/// server interchange messages with this SDK's KMS keyrings.
/// </summary>
public sealed class JsKmsInteropTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("esdk-kms-interop-").FullName;

    private JsonObject JsKeyring(string? generator, bool discovery = false) => new()
    {
        ["type"] = "kms",
        ["endpoint"] = fixture.Server.Server.Endpoint.ToString().TrimEnd('/'),
        ["region"] = fixture.Server.Region,
        ["accessKeyId"] = fixture.Server.AccessKeyId,
        ["secretAccessKey"] = fixture.Server.SecretAccessKey,
        ["generator"] = generator,
        ["keyIds"] = generator is null ? new JsonArray() : new JsonArray(generator),
        ["discovery"] = discovery,
    };

    [Fact]
    public async Task Kms_messages_interchange_with_the_javascript_sdk_both_ways()
    {
        var arn = (await fixture.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
        var client = new EncryptionClient();
        var context = new Dictionary<string, string> { ["app"] = "interop" };
        var fromDotNet = (await client.EncryptAsync(Keys.Plaintext(3000), new AwsKmsKeyring(fixture.Kms, arn), new EncryptOptions { EncryptionContext = context })).Ciphertext;
        await File.WriteAllBytesAsync(Path.Combine(_folder, "dotnet.msg"), fromDotNet);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "plain"), Keys.Plaintext(3000));

        var results = await JsEncryptionSdk.RunAsync(
        [
            new JsonObject { ["op"] = "decrypt", ["keyring"] = JsKeyring(arn), ["input"] = Path.Combine(_folder, "dotnet.msg"), ["output"] = Path.Combine(_folder, "dotnet.out") },
            new JsonObject { ["op"] = "decrypt", ["keyring"] = JsKeyring(null, discovery: true), ["input"] = Path.Combine(_folder, "dotnet.msg"), ["output"] = Path.Combine(_folder, "dotnet-discovery.out") },
            new JsonObject { ["op"] = "encrypt", ["keyring"] = JsKeyring(arn), ["context"] = new JsonObject { ["app"] = "interop" }, ["input"] = Path.Combine(_folder, "plain"), ["output"] = Path.Combine(_folder, "js.msg") },
        ]);
        foreach (var result in results)
        {
            Assert.True((bool)result!["ok"]!, (string?)result["error"]);
        }

        Assert.Equal(Keys.Plaintext(3000), await File.ReadAllBytesAsync(Path.Combine(_folder, "dotnet.out")));
        Assert.Equal(Keys.Plaintext(3000), await File.ReadAllBytesAsync(Path.Combine(_folder, "dotnet-discovery.out")));
        var fromJs = await File.ReadAllBytesAsync(Path.Combine(_folder, "js.msg"));
        var decrypted = await client.DecryptAsync(fromJs, new AwsKmsKeyring(fixture.Kms, arn), new DecryptOptions { EncryptionContext = context });
        Assert.Equal(Keys.Plaintext(3000), decrypted.Plaintext);
        Assert.Equal(Keys.Plaintext(3000), (await client.DecryptAsync(fromJs, new AwsKmsDiscoveryKeyring(fixture.Kms))).Plaintext);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
