using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms;

/// <summary>CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant and grant tokens through the AWS SDK.</summary>
public sealed class GrantTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    private async Task<KeyMetadata> NewKeyAsync() => (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

    private static string Role(KeyMetadata key, string name = "app") => $"arn:aws:iam::{key.AWSAccountId}:role/{name}";

    private Task<CreateGrantResponse> GrantAsync(KeyMetadata key, params string[] operations) => Kms.CreateGrantAsync(new CreateGrantRequest
    {
        KeyId = key.KeyId, GranteePrincipal = Role(key), Operations = operations.Length == 0 ? ["Decrypt"] : [.. operations],
    });

    private async Task<string> ErrorOf(Func<Task> call) => (await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(call)).ErrorCode;

    [Fact]
    public async Task CreateGrant_returns_a_64_hex_id_and_a_token_and_ListGrants_shows_every_member()
    {
        var key = await NewKeyAsync();
        var retirer = $"arn:aws:iam::{key.AWSAccountId}:user/retirer";
        var created = await Kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = key.Arn, GranteePrincipal = Role(key), RetiringPrincipal = retirer, Name = "full",
            Operations = ["Encrypt", "Decrypt", "DescribeKey"],
            Constraints = new GrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { ["tenant"] = "a" } },
        });
        Assert.Matches("^[0-9a-f]{64}$", created.GrantId);
        Assert.InRange(created.GrantToken.Length, 1, 8192);

        var listed = await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });
        var entry = Assert.Single(listed.Grants);
        Assert.False(listed.Truncated);
        Assert.Equal(key.Arn, entry.KeyId);
        Assert.Equal(created.GrantId, entry.GrantId);
        Assert.Equal("full", entry.Name);
        Assert.Equal(Role(key), entry.GranteePrincipal);
        Assert.Equal(retirer, entry.RetiringPrincipal);
        Assert.Equal($"arn:aws:iam::{key.AWSAccountId}:root", entry.IssuingAccount);
        Assert.Equal(["Encrypt", "Decrypt", "DescribeKey"], entry.Operations);
        Assert.Equal("a", entry.Constraints.EncryptionContextSubset["tenant"]);
        Assert.True(entry.CreationDate > DateTime.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task A_retried_CreateGrant_with_the_same_Name_returns_the_same_grant()
    {
        var key = await NewKeyAsync();
        var request = new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = Role(key), Operations = ["Decrypt"], Name = "once" };
        var first = await Kms.CreateGrantAsync(request);
        var second = await Kms.CreateGrantAsync(request);
        Assert.Equal(first.GrantId, second.GrantId);
        Assert.Single((await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants);
        // Both tokens are valid (AWS: tokens of one grant are interchangeable).
        await Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = second.GrantToken });
        Assert.Empty((await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants);
    }

    [Fact]
    public async Task CreateGrant_refuses_what_AWS_refuses()
    {
        var key = await NewKeyAsync();
        Task Create(Action<CreateGrantRequest> change)
        {
            var request = new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = Role(key), Operations = ["Decrypt"] };
            change(request);
            return Kms.CreateGrantAsync(request);
        }

        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.Operations = ["Sign"])));
        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.Operations = ["GenerateMac"])));
        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.Operations = ["Explode"])));
        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.GranteePrincipal = null)));
        Assert.Equal("InvalidArnException", await ErrorOf(() => Create(r => r.GranteePrincipal = "arn:aws:s3:::bucket")));
        var badName = string.Join(' ', "no", "spaces"); // built at run time: the SDK's analyzer refuses the literal
        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.Name = badName)));
        Assert.Equal("ValidationException", await ErrorOf(() => Create(r => r.Constraints = new GrantConstraints
        {
            EncryptionContextEquals = new Dictionary<string, string> { ["a"] = "b" }, EncryptionContextSubset = new Dictionary<string, string> { ["a"] = "b" },
        })));
        Assert.Equal("InvalidGrantTokenException", await ErrorOf(() => Create(r => r.GrantTokens = ["not-a-token"])));
        Assert.Equal("NotFoundException", await ErrorOf(() => Create(r => r.KeyId = Guid.NewGuid().ToString())));
        Assert.Equal("DryRunOperationException", await ErrorOf(() => Create(r => r.DryRun = true)));
        Assert.Empty((await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants);
    }

    [Fact]
    public async Task ListGrants_filters_by_grant_id_and_grantee_and_pages()
    {
        var key = await NewKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId, GranteePrincipal = Role(key, i < 2 ? "first" : "second"), Operations = ["Encrypt"],
            })).GrantId);
        }

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.Arn, Limit = 2, Marker = marker });
            Assert.InRange(page.Grants.Count, 1, 2);
            seen.AddRange(page.Grants.Select(g => g.GrantId));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
        Assert.Equal(2, (await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GranteePrincipal = Role(key, "first") })).Grants.Count);
        Assert.Equal(ids[3], Assert.Single((await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GrantId = ids[3] })).Grants).GrantId);
        Assert.Equal("InvalidGrantIdException", await ErrorOf(() => Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GrantId = "bogus" })));
        Assert.Equal("InvalidMarkerException", await ErrorOf(() => Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Marker = "bogus" })));
        Assert.Equal("ValidationException", await ErrorOf(() => Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Limit = 101 })));
        Assert.Equal("NotFoundException", await ErrorOf(() => Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = Guid.NewGuid().ToString() })));
    }

    [Fact]
    public async Task ListRetirableGrants_lists_the_grants_a_principal_may_retire_across_keys()
    {
        var first = await NewKeyAsync();
        var second = await NewKeyAsync();
        var retirer = $"arn:aws:iam::{first.AWSAccountId}:user/r{Guid.NewGuid():N}";
        foreach (var key in new[] { first, second })
        {
            await Kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = Role(key), RetiringPrincipal = retirer, Operations = ["Decrypt"] });
        }

        await GrantAsync(first); // no retiring principal

        var page1 = await Kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retirer, Limit = 1 });
        Assert.True(page1.Truncated);
        var page2 = await Kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = retirer, Limit = 1, Marker = page1.NextMarker });
        Assert.False(page2.Truncated);
        var all = page1.Grants.Concat(page2.Grants).ToList();
        Assert.Equal(new[] { first.Arn, second.Arn }.Order(StringComparer.Ordinal), all.Select(g => g.KeyId).Order(StringComparer.Ordinal));
        Assert.All(all, g => Assert.Equal(retirer, g.RetiringPrincipal));
    }

    [Fact]
    public async Task RetireGrant_by_token_or_by_key_arn_and_id_and_RevokeGrant_remove_grants()
    {
        var key = await NewKeyAsync();
        var byToken = await GrantAsync(key);
        var byId = await GrantAsync(key);
        var revoked = await GrantAsync(key);

        Assert.Equal("DryRunOperationException", await ErrorOf(() => Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = byToken.GrantToken, DryRun = true })));
        await Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = byToken.GrantToken });
        await Kms.RetireGrantAsync(new RetireGrantRequest { KeyId = key.Arn, GrantId = byId.GrantId });
        await Kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = revoked.GrantId });
        Assert.Empty((await Kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants);

        Assert.Equal("NotFoundException", await ErrorOf(() => Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = byToken.GrantToken })));
        Assert.Equal("NotFoundException", await ErrorOf(() => Kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = revoked.GrantId })));
        Assert.Equal("InvalidGrantTokenException", await ErrorOf(() => Kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = "garbage" })));
        Assert.Equal("InvalidGrantIdException", await ErrorOf(() => Kms.RevokeGrantAsync(new RevokeGrantRequest { KeyId = key.KeyId, GrantId = "garbage" })));
        Assert.Equal("ValidationException", await ErrorOf(() => Kms.RetireGrantAsync(new RetireGrantRequest())));
    }

    [Fact]
    public async Task A_grant_token_is_accepted_on_cryptographic_calls_and_a_malformed_one_is_refused()
    {
        var key = await NewKeyAsync();
        var grant = await GrantAsync(key, "Encrypt", "Decrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo");
        List<string> tokens = [grant.GrantToken];

        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([7, 7]), GrantTokens = tokens });
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, GrantTokens = tokens });
        Assert.Equal([7, 7], decrypted.Plaintext.ToArray());
        await Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, GrantTokens = tokens });
        await Kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, NumberOfBytes = 16, GrantTokens = tokens });
        await Kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()), DestinationKeyId = key.KeyId, GrantTokens = tokens,
        });

        List<string> bad = ["this-is-not-a-grant-token"];
        Assert.Equal("InvalidGrantTokenException", await ErrorOf(() =>
            Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()), GrantTokens = bad })));
        Assert.Equal("InvalidGrantTokenException", await ErrorOf(() =>
            Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]), GrantTokens = bad })));
    }

    [Fact]
    public async Task A_key_pending_deletion_takes_no_grants_lists_them_and_its_grants_go_when_it_is_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var grant = await kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = Role(key), Operations = ["Decrypt"], RetiringPrincipal = Role(key, "r") });
        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        Assert.Equal("KMSInvalidStateException", (await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() =>
            kms.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = Role(key), Operations = ["Decrypt"] }))).ErrorCode);
        Assert.Single((await kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants);

        server.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await server.Server.RunMaintenanceAsync();
        await Assert.ThrowsAsync<NotFoundException>(() => kms.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId }));
        await Assert.ThrowsAsync<NotFoundException>(() => kms.RetireGrantAsync(new RetireGrantRequest { GrantToken = grant.GrantToken }));
        Assert.Empty((await kms.ListRetirableGrantsAsync(new ListRetirableGrantsRequest { RetiringPrincipal = Role(key, "r") })).Grants);
    }
}
