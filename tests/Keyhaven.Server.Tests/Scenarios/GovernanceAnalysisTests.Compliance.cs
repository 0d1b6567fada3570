using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>The compliance rules that read the audit trail (keys pending deletion still in use, unused keys and roles) and the key-administrator rule.</summary>
public sealed partial class GovernanceAnalysisTests
{
    [Fact]
    public async Task Compliance_reports_a_key_pending_deletion_still_in_use_a_key_without_administrator_and_later_unused_keys_and_roles()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        var root = $"arn:aws:iam::{(await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.AWSAccountId}:root";
        var unused = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "never used" })).KeyMetadata;
        var retiring = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "still needed" })).KeyMetadata;
        var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = retiring.KeyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob;
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = retiring.KeyId, PendingWindowInDays = 7 });
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));
        var orphan = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "no administrator" })).KeyMetadata;
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = orphan.KeyId, BypassPolicyLockoutSafetyCheck = true,
            Policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{root}}"},"Action":"kms:Decrypt","Resource":"*"}]}""",
        });
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var idle = await CreateRoleAsync(iam, "Idle", root, """{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}""");
        var busy = await CreateRoleAsync(iam, "Busy", root, """{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}""");

        var now = await raw.FindingsAsync("compliance");
        var pending = Assert.Single(now, f => Rule(f) == "KEY_PENDING_DELETION_IN_USE");
        Assert.Equal(("HIGH", retiring.Arn), (Text(pending, "severity"), Text(pending, "resource")));
        var orphaned = Assert.Single(now, f => Rule(f) == "KEY_POLICY_WITHOUT_ADMINISTRATOR");
        Assert.Equal(orphan.Arn, Text(orphaned, "resource"));
        Assert.DoesNotContain(now, f => Rule(f) is "UNUSED_KEY" or "UNUSED_ROLE");

        // 100 days later: the key no one used and the role no one assumed are unused; the deletion's use is old news.
        server.Clock.Advance(TimeSpan.FromDays(100));
        using (var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret)))
        {
            var session = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = busy, RoleSessionName = "work" })).Credentials;
            using var busyKms = server.Kms(session);
            await busyKms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = unused.KeyId });
        }

        var later = await raw.FindingsAsync("compliance");
        Assert.DoesNotContain(later, f => Rule(f) == "KEY_PENDING_DELETION_IN_USE");
        Assert.DoesNotContain(later, f => Rule(f) == "UNUSED_KEY" && Text(f, "resource") == unused.Arn); // DescribeKey named it today
        Assert.Contains(later, f => Rule(f) == "UNUSED_KEY" && Text(f, "resource") == orphan.Arn);
        Assert.DoesNotContain(later, f => Rule(f) == "UNUSED_KEY" && Text(f, "resource") == retiring.Arn); // pending deletion, not enabled
        var idleFinding = Assert.Single(later, f => Rule(f) == "UNUSED_ROLE");
        Assert.Equal(idle, Text(idleFinding, "resource"));
        Assert.DoesNotContain(later, f => Rule(f) == "UNUSED_ROLE" && Text(f, "resource") == busy);
    }
}
