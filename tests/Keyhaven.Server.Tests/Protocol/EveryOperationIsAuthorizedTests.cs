using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Protocol;

/// <summary>
/// Every operation of the KMS API model, called by a caller that may do nothing, is refused: unauthenticated callers
/// get MissingAuthenticationTokenException, and an IAM user without policies gets AccessDeniedException (or
/// UnknownOperationException for the operations this release does not implement). No operation bypasses the pipeline.
/// </summary>
public sealed class EveryOperationIsAuthorizedTests
{
    private static IReadOnlyList<string> KmsOperations()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Keyhaven.slnx not found above the test directory.");
        }

        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "..", "shared", "reference", "aws-models", "kms-2014-11-01.json")));
        return [.. model.RootElement.GetProperty("operations").EnumerateObject().Select(o => o.Name)];
    }

    [Fact]
    public async Task No_kms_operation_runs_for_a_caller_without_permission()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/existing", TargetKeyId = key.KeyId });
        var blob = Convert.ToBase64String((await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]) })).CiphertextBlob.ToArray());
        using var iam = new IamQueryClient(server);
        var (userArn, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("nobody");
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = $"arn:aws:iam::{key.AWSAccountId}:root", Operations = ["Decrypt"] });

        // One body carries a valid value for every member any operation needs, so that each request gets as far as authorization.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["KeyId"] = key.Arn, ["TargetKeyId"] = key.KeyId, ["DestinationKeyId"] = key.KeyId, ["AliasName"] = "alias/existing",
            ["Plaintext"] = "AQ==", ["CiphertextBlob"] = blob, ["KeySpec"] = "AES_256", ["NumberOfBytes"] = 16, ["Description"] = "d",
            ["Policy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}", ["PolicyName"] = "default", ["Tags"] = new[] { new { TagKey = "a", TagValue = "b" } },
            ["TagKeys"] = new[] { "a" }, ["GranteePrincipal"] = userArn, ["RetiringPrincipal"] = userArn, ["Operations"] = new[] { "Decrypt" },
            ["GrantId"] = grant.GrantId, ["GrantToken"] = grant.GrantToken, ["PendingWindowInDays"] = 7, ["RotationPeriodInDays"] = 90,
        });

        using var raw = new RawKmsClient(server);
        var implemented = 0;
        foreach (var operation in KmsOperations())
        {
            var anonymous = await raw.SendAsync("TrentService." + operation, body, sign: false);
            Assert.True(anonymous.ErrorType == "MissingAuthenticationTokenException", $"{operation} without credentials answered {anonymous.Status} {anonymous.ErrorType}");

            var response = await raw.SendAsync("TrentService." + operation, body, accessKeyId, secret);
            Assert.True(response.ErrorType is "AccessDeniedException" or "UnknownOperationException",
                $"{operation} by a user without permissions answered {response.Status} {response.ErrorType}: {response.Message}");
            if (response.ErrorType == "AccessDeniedException")
            {
                implemented++;
                Assert.Contains($"User: {userArn} is not authorized to perform: kms:", response.Message);
            }
        }

        Assert.True(implemented >= 34, $"only {implemented} operations reached authorization");
        Assert.Equal("alias/existing", (await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId })).Aliases.Single().AliasName);
        Assert.Equal(Amazon.KeyManagementService.KeyState.Enabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }
}
