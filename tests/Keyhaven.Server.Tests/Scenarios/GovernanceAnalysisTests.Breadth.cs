using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Scenarios;

/// <summary>
/// Findings that a narrower reading of a policy or of the trail would miss: conditions that only look limiting, every
/// KMS action on every key spelled another way, administration and use beyond the four obvious actions, two validator
/// issues at one place, a key last used before the unused window, and a multi-Region primary waiting for its replicas.
/// </summary>
public sealed partial class GovernanceAnalysisTests
{
    [Fact]
    public async Task Only_conditions_that_require_the_account_or_organization_keep_a_wildcard_principal_private()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var own = key.AWSAccountId;
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest
        {
            KeyId = key.KeyId,
            Policy = $$$"""
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{own}}}:root"},"Action":"kms:*","Resource":"*"},
                  {"Sid":"LowerAccounts","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThanEquals":{"aws:PrincipalAccount":"{{{own}}}"} } },
                  {"Sid":"IfExists","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:CallerAccount":"{{{own}}}"} } },
                  {"Sid":"AnyValueInAccount","Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:CallerAccount":"{{{own}}}"} } }
                ]}
                """,
        });

        var findings = await raw.FindingsAsync("external-access");

        Assert.Equal(["key-policy#IfExists", "key-policy#LowerAccounts"], findings.Where(f => Rule(f) == "PUBLIC_ACCESS").Select(f => Text(f, "statement")!).Order());
        Assert.DoesNotContain(findings, f => Text(f, "statement") == "key-policy#AnyValueInAccount");
    }

    [Fact]
    public async Task Every_kms_action_on_every_key_is_reported_however_the_policy_spells_it_and_findings_at_one_place_keep_distinct_ids()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        await iam.CreateUserWithKeyAsync("by-arn", """{"Version":"2012-10-17","Statement":[{"Sid":"Keys","Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:*:key/*"}]}""");
        await iam.CreateUserWithKeyAsync("by-notaction", """{"Version":"2012-10-17","Statement":[{"Sid":"AllButIam","Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}""");
        await iam.CreateUserWithKeyAsync("one-key",
            """{"Version":"2012-10-17","Statement":[{"Sid":"OneKey","Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}""");
        await iam.CreateUserWithKeyAsync("no-kms", """{"Version":"2012-10-17","Statement":[{"Sid":"NotKms","Effect":"Allow","NotAction":"kms:*","Resource":"*"}]}""");
        await iam.CreateUserWithKeyAsync("set-on-single",
            """{"Version":"2012-10-17","Statement":[{"Sid":"Set","Effect":"Allow","Action":"kms:DescribeKey","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalAccount":["111122223333"]} } }]}""");

        var findings = await raw.FindingsAsync("compliance", "policy-validation");

        var wide = findings.Where(f => Rule(f) == "IDENTITY_POLICY_ALLOWS_KMS_ALL").Select(f => Text(f, "description")!).ToList();
        Assert.Equal(2, wide.Count);
        Assert.Contains(wide, d => d.Contains("#Keys", StringComparison.Ordinal));
        Assert.Contains(wide, d => d.Contains("#AllButIam", StringComparison.Ordinal));

        var atCondition = findings.Where(f => Rule(f) == "POLICY_VALIDATION" && Text(f, "statement")!.Contains("Condition", StringComparison.Ordinal)).ToList();
        Assert.True(atCondition.Count >= 2, $"expected two validator issues at the ForAllValues condition, got {atCondition.Count}");
        Assert.Equal(findings.Count, findings.Select(f => Text(f, "id")).Distinct().Count());
    }

    [Fact]
    public async Task A_role_that_can_revoke_grants_and_make_data_key_pairs_is_a_separation_of_duties_finding()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        using var raw = new RawKmsClient(server);
        using var iam = new IamQueryClient(server);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var root = $"arn:aws:iam::{key.AWSAccountId}:root";
        var role = await CreateRoleAsync(iam, "PairMaker", root, """{"Effect":"Allow","Action":["kms:RevokeGrant","kms:GenerateDataKeyPair"],"Resource":"*"}""");

        var finding = Assert.Single(await raw.FindingsAsync("separation-of-duties"), f => Text(f, "principal") == role);
        Assert.Contains("kms:RevokeGrant", Text(finding, "description"));
        Assert.Contains("kms:GenerateDataKeyPair", Text(finding, "description"));
    }

    [Fact]
    public async Task A_key_last_used_before_the_unused_window_is_unused_and_a_primary_waiting_for_its_replicas_is_pending_deletion()
    {
        string[] regions = ["us-east-1", "eu-west-1"];
        await using var server = await TestServer.StartAsync(regions: regions);
        using var east = server.ClientIn(regions[0]);
        using var raw = new RawKmsClient(server);
        var stale = (await east.CreateKeyAsync(new CreateKeyRequest { Description = "used once" })).KeyMetadata;
        await east.EncryptAsync(new EncryptRequest { KeyId = stale.KeyId, Plaintext = new MemoryStream([1]) });
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = regions[1] });
        var blob = (await east.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = new MemoryStream([2]) })).CiphertextBlob;
        await east.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = primary.KeyId, PendingWindowInDays = 7 });
        Assert.Equal(KeyState.PendingReplicaDeletion, (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = primary.KeyId })).KeyMetadata.KeyState);
        await Assert.ThrowsAsync<KMSInvalidStateException>(() => east.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }));

        // Twenty days on, with a 7-day unused window and a 30-day recent-use window: the trail is read for 30 days, but a
        // key whose last event is 20 days old is unused all the same.
        server.Clock.Advance(TimeSpan.FromDays(20));
        var findings = (await raw.GovernanceAsync("AnalyzeFindings", new { analyzers = new[] { "compliance" }, unusedDays = 7, recentUseDays = 30 }))
            .GetProperty("findings").EnumerateArray().ToList();

        Assert.Contains(findings, f => Rule(f) == "UNUSED_KEY" && Text(f, "resource") == stale.Arn);
        var pending = Assert.Single(findings, f => Rule(f) == "KEY_PENDING_DELETION_IN_USE");
        Assert.Equal(primary.Arn, Text(pending, "resource"));
        Assert.Contains("after its last replica is deleted", Text(pending, "description"));
    }
}
