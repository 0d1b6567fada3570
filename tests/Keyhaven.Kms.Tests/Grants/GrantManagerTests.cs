using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Grants;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Grants;

/// <summary>GrantManager over real storage: validation, Name idempotency, the quota, listing, retiring, deletion.</summary>
public sealed class GrantManagerTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::111122223333:role/app";
    private const string Retirer = "arn:aws:iam::111122223333:user/retirer";
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    private GrantManager Grants => _kms.Domain.GrantManager;

    private static NewGrantRequest Request(KmsKey key, params string[] operations) =>
        new(key.Id.Value, Role, Retirer, operations.Length == 0 ? ["Decrypt"] : operations);

    private async Task<KmsException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<KmsException>(call);

    [Fact]
    public async Task CreateGrant_stores_a_grant_that_lists_and_applies()
    {
        var key = await _kms.CreateKeyAsync();
        var created = await Grants.CreateAsync(Caller, Request(key, "Encrypt", "Decrypt") with { Name = "n1" }, false, None);

        Assert.Matches("^[0-9a-f]{64}$", created.Grant.Id.Value);
        var listed = Assert.Single((await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items);
        Assert.Equal(created.Grant.Id, listed.Id);
        Assert.Equal(["Encrypt", "Decrypt"], listed.OperationNames);
        Assert.Equal("arn:aws:iam::111122223333:root", listed.IssuingAccount);
        Assert.Equal(key.Arn, listed.KeyArn);
        var applicable = await Grants.FindApplicableGrantsAsync(key, [created.GrantToken], None);
        Assert.Equal(created.Grant.Id, Assert.Single(applicable).Id);
    }

    [Fact]
    public async Task A_grant_is_sealed_at_rest()
    {
        var key = await _kms.CreateKeyAsync();
        await Grants.CreateAsync(Caller, Request(key) with { Name = "visible-name" }, false, None);
        var entry = Assert.Single(await _kms.RawEntriesAsync("grants"));
        Assert.StartsWith($"{key.Account}/{key.Region}/{key.Id}/", entry.Key.Id);
        Assert.Equal(-1, entry.Value.AsSpan().IndexOf("visible-name"u8));
        Assert.Equal(-1, entry.Value.AsSpan().IndexOf("role/app"u8));
    }

    [Fact]
    public async Task Name_makes_a_retry_return_the_same_grant_with_a_fresh_interchangeable_token()
    {
        // AWS KMS (CreateGrant, Name): identical parameters return the original GrantId; tokens are unique per request.
        var key = await _kms.CreateKeyAsync();
        var request = Request(key, "Decrypt", "Encrypt") with { Name = "retry" };
        var first = await Grants.CreateAsync(Caller, request, false, None);
        var second = await Grants.CreateAsync(Caller, request with { Operations = ["Encrypt", "Decrypt", "Encrypt"] }, false, None);

        Assert.Equal(first.Grant.Id, second.Grant.Id);
        Assert.NotEqual(first.GrantToken, second.GrantToken);
        await Grants.FindApplicableGrantsAsync(key, [first.GrantToken, second.GrantToken], None);

        var different = await Grants.CreateAsync(Caller, request with { Operations = ["Decrypt"] }, false, None);
        Assert.NotEqual(first.Grant.Id, different.Grant.Id);
        var unnamed1 = await Grants.CreateAsync(Caller, Request(key), false, None);
        var unnamed2 = await Grants.CreateAsync(Caller, Request(key), false, None);
        Assert.NotEqual(unnamed1.Grant.Id, unnamed2.Grant.Id);
    }

    [Theory]
    [InlineData("Sign")]
    [InlineData("Verify")]
    [InlineData("GetPublicKey")]
    [InlineData("GenerateMac")]
    [InlineData("VerifyMac")]
    [InlineData("DeriveSharedSecret")]
    public async Task Operations_a_symmetric_key_cannot_do_are_refused(string operation)
    {
        // AWS KMS: "you cannot create a grant for a symmetric encryption KMS key that allows the Sign operation" (ValidationException).
        var key = await _kms.CreateKeyAsync();
        var error = await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key, "Decrypt", operation), false, None));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
    }

    [Fact]
    public async Task Requests_are_validated_as_AWS_does()
    {
        var key = await _kms.CreateKeyAsync();
        async Task<KmsErrorCode> Code(NewGrantRequest r) => (await RefusedAsync(() => Grants.CreateAsync(Caller, r, false, None))).Code;

        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { Operations = [] }));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { Operations = ["Dance"] }));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { GranteePrincipal = null }));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { GranteePrincipal = "bad principal" }));
        Assert.Equal(KmsErrorCode.InvalidArnException, await Code(Request(key) with { GranteePrincipal = "arn:aws:s3:::bucket" }));
        Assert.Equal(KmsErrorCode.InvalidArnException, await Code(Request(key) with { RetiringPrincipal = "nobody" }));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { Name = "bad name" }));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(Request(key) with { Name = new string('a', 257) }));
        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, await Code(Request(key) with { GrantTokens = ["x"] }));
        Assert.Equal(KmsErrorCode.NotFoundException, await Code(Request(key) with { KeyId = "alias/anything" }));
        Assert.Equal(KmsErrorCode.NotFoundException, await Code(Request(key) with { KeyId = Guid.NewGuid().ToString() }));

        // Service principals (older style, in GranteePrincipal) and every IAM/STS principal form are accepted.
        foreach (var principal in new[] { "dynamodb.amazonaws.com", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/u",
            "arn:aws:sts::111122223333:assumed-role/r/session", "arn:aws:iam::111122223333:federated-user/f" })
        {
            await Grants.CreateAsync(Caller, Request(key) with { GranteePrincipal = principal }, false, None);
        }
    }

    [Fact]
    public async Task Constraints_are_one_kind_with_at_most_8_pairs()
    {
        var key = await _kms.CreateKeyAsync();
        var pairs = new Dictionary<string, string> { ["purpose"] = "test" };
        var both = await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key) with { EncryptionContextEquals = pairs, EncryptionContextSubset = pairs }, false, None));
        Assert.Equal(KmsErrorCode.ValidationException, both.Code);
        var nine = Enumerable.Range(0, 9).ToDictionary(i => $"k{i}", i => "v");
        Assert.Equal(KmsErrorCode.ValidationException,
            (await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key) with { EncryptionContextSubset = nine }, false, None))).Code);
        Assert.Equal(KmsErrorCode.ValidationException,
            (await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key) with { EncryptionContextSubset = new Dictionary<string, string> { ["k"] = new string('v', 385) } }, false, None))).Code);

        // A constraint may come with DescribeKey, RetireGrant and CreateGrant, which take no context (AWS: the constraint does not apply to them).
        var created = await Grants.CreateAsync(Caller, Request(key, "Decrypt", "DescribeKey", "RetireGrant", "CreateGrant") with { EncryptionContextEquals = pairs }, false, None);
        Assert.Equal("test", created.Grant.Constraints!.EncryptionContextEquals!["purpose"]);
        var stored = Assert.Single((await _kms.NewDomain().GrantManager.ListAsync(Caller, key.Id.Value, 50, null, null, null, None)).Items);
        Assert.Equal("test", stored.Constraints!.EncryptionContextEquals!["purpose"]);
        Assert.Null(stored.Constraints.EncryptionContextSubset);
    }

    [Fact]
    public async Task The_grants_per_key_quota_answers_LimitExceededException()
    {
        var key = await _kms.CreateKeyAsync();
        var limited = new GrantManager(_kms.Store, _kms.Domain.Grants, _kms.Domain.Resolver, new KmsEnvironment(_kms.Clock, SystemRandomSource.Instance), 2);
        await limited.CreateAsync(Caller, Request(key) with { Name = "a" }, false, None);
        await limited.CreateAsync(Caller, Request(key) with { Name = "b" }, false, None);
        var error = await RefusedAsync(() => limited.CreateAsync(Caller, Request(key) with { Name = "c" }, false, None));
        Assert.Equal(KmsErrorCode.LimitExceededException, error.Code);
        // A retry of an existing grant is not a new grant: it still answers.
        await limited.CreateAsync(Caller, Request(key) with { Name = "a" }, false, None);
        Assert.Equal(50_000, GrantManager.MaxGrantsPerKey);
    }

    [Fact]
    public async Task A_dry_run_on_a_key_at_its_grant_quota_answers_the_quota_and_a_dry_run_retry_succeeds()
    {
        var key = await _kms.CreateKeyAsync();
        var limited = new GrantManager(_kms.Store, _kms.Domain.Grants, _kms.Domain.Resolver, new KmsEnvironment(_kms.Clock, SystemRandomSource.Instance), 1);
        await limited.CreateAsync(Caller, Request(key) with { Name = "a" }, false, None);

        Assert.Equal(KmsErrorCode.LimitExceededException, (await RefusedAsync(() => limited.CreateAsync(Caller, Request(key) with { Name = "b" }, true, None))).Code);
        Assert.Equal(KmsErrorCode.DryRunOperationException, (await RefusedAsync(() => limited.CreateAsync(Caller, Request(key) with { Name = "a" }, true, None))).Code);
    }

    [Fact]
    public async Task An_encryption_context_constraint_is_refused_for_a_key_that_is_not_symmetric()
    {
        var rsa = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { Spec = KeySpec.Rsa2048, Usage = KeyUsage.EncryptDecrypt }, None);
        var constrained = Request(rsa, "Encrypt", "Decrypt") with { EncryptionContextSubset = new Dictionary<string, string> { ["purpose"] = "test" } };

        var error = await RefusedAsync(() => Grants.CreateAsync(Caller, constrained, false, None));

        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
        Assert.Contains("symmetric", error.Message);
        Assert.Empty((await Grants.ListAsync(Caller, rsa.Arn, 50, null, null, null, None)).Items);
    }

    [Fact]
    public async Task DryRun_checks_everything_and_creates_nothing()
    {
        var key = await _kms.CreateKeyAsync();
        var error = await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key), true, None));
        Assert.Equal(KmsErrorCode.DryRunOperationException, error.Code);
        Assert.Empty((await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items);
        var created = await Grants.CreateAsync(Caller, Request(key), false, None);
        Assert.Equal(KmsErrorCode.DryRunOperationException, (await RefusedAsync(() => Grants.RevokeAsync(Caller, key.Arn, created.Grant.Id.Value, true, None))).Code);
        Assert.Equal(KmsErrorCode.DryRunOperationException, (await RefusedAsync(() => Grants.RetireAsync(Caller, created.GrantToken, null, null, true, None))).Code);
        Assert.Single((await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items);
    }

    [Fact]
    public async Task ListGrants_filters_and_pages_in_grant_id_order()
    {
        var key = await _kms.CreateKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Grants.CreateAsync(Caller, Request(key) with { GranteePrincipal = i % 2 == 0 ? Role : Retirer }, false, None)).Grant.Id.Value);
        }

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await Grants.ListAsync(Caller, key.Id.Value, 2, marker, null, null, None);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(g => g.Id.Value));
            marker = page.NextMarker;
        }
        while (marker is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, (await Grants.ListAsync(Caller, key.Arn, 50, null, null, Role, None)).Items.Count);
        Assert.Equal(ids[1], Assert.Single((await Grants.ListAsync(Caller, key.Arn, 50, null, ids[1], null, None)).Items).Id.Value);
        Assert.Empty((await Grants.ListAsync(Caller, key.Arn, 50, null, new string('0', 64), null, None)).Items);
        Assert.Equal(KmsErrorCode.InvalidGrantIdException, (await RefusedAsync(() => Grants.ListAsync(Caller, key.Arn, 50, null, "nope", null, None))).Code);
        Assert.Equal(KmsErrorCode.InvalidMarkerException, (await RefusedAsync(() => Grants.ListAsync(Caller, key.Arn, 50, "nope", null, null, None))).Code);
        Assert.Equal(KmsErrorCode.ValidationException, (await RefusedAsync(() => Grants.ListAsync(Caller, key.Arn, 101, null, null, null, None))).Code);
    }

    [Fact]
    public async Task ListRetirableGrants_spans_keys_and_pages()
    {
        var principal = $"arn:aws:iam::111122223333:user/r{Guid.NewGuid():N}";
        var keys = new[] { await _kms.CreateKeyAsync(), await _kms.CreateKeyAsync() };
        foreach (var key in keys)
        {
            await Grants.CreateAsync(Caller, Request(key) with { RetiringPrincipal = principal }, false, None);
            await Grants.CreateAsync(Caller, Request(key) with { RetiringPrincipal = principal }, false, None);
            await Grants.CreateAsync(Caller, Request(key), false, None);
        }

        var seen = new List<Grant>();
        string? marker = null;
        do
        {
            var page = await Grants.ListRetirableAsync(Caller, principal, 3, marker, None);
            seen.AddRange(page.Items);
            marker = page.NextMarker;
        }
        while (marker is not null);

        Assert.Equal(4, seen.Count);
        Assert.All(seen, g => Assert.Equal(principal, g.RetiringPrincipal));
        Assert.Equal(4, seen.Select(g => g.Id).Distinct().Count());
        Assert.Equal(KmsErrorCode.InvalidMarkerException, (await RefusedAsync(() => Grants.ListRetirableAsync(Caller, principal, 3, "x", None))).Code);
    }

    [Fact]
    public async Task RetireGrant_by_token_or_by_key_arn_and_id_and_RevokeGrant_delete_the_grant()
    {
        var key = await _kms.CreateKeyAsync();
        var byToken = await Grants.CreateAsync(Caller, Request(key), false, None);
        var byId = await Grants.CreateAsync(Caller, Request(key), false, None);
        var revoked = await Grants.CreateAsync(Caller, Request(key), false, None);

        await Grants.RetireAsync(Caller, byToken.GrantToken, null, null, false, None);
        await Grants.RetireAsync(Caller, null, key.Arn, byId.Grant.Id.Value, false, None);
        await Grants.RevokeAsync(Caller, key.Id.Value, revoked.Grant.Id.Value, false, None);

        Assert.Empty((await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items);
        Assert.Equal(KmsErrorCode.NotFoundException, (await RefusedAsync(() => Grants.RetireAsync(Caller, byToken.GrantToken, null, null, false, None))).Code);
        Assert.Equal(KmsErrorCode.NotFoundException, (await RefusedAsync(() => Grants.RevokeAsync(Caller, key.Arn, revoked.Grant.Id.Value, false, None))).Code);
        // A token of a retired grant adds nothing, and is not an error.
        Assert.Empty(await Grants.FindApplicableGrantsAsync(key, [byToken.GrantToken], None));
    }

    [Fact]
    public async Task RetireGrant_and_RevokeGrant_refuse_bad_identifiers_with_AWS_codes()
    {
        var key = await _kms.CreateKeyAsync();
        var created = await Grants.CreateAsync(Caller, Request(key), false, None);
        async Task<KmsErrorCode> Code(Func<Task> call) => (await RefusedAsync(call)).Code;

        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, await Code(() => Grants.RetireAsync(Caller, "garbage", null, null, false, None)));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(() => Grants.RetireAsync(Caller, null, key.Arn, null, false, None)));
        Assert.Equal(KmsErrorCode.InvalidArnException, await Code(() => Grants.RetireAsync(Caller, null, key.Id.Value, created.Grant.Id.Value, false, None)));
        Assert.Equal(KmsErrorCode.InvalidGrantIdException, await Code(() => Grants.RetireAsync(Caller, null, key.Arn, "not-an-id", false, None)));
        Assert.Equal(KmsErrorCode.InvalidGrantIdException, await Code(() => Grants.RevokeAsync(Caller, key.Arn, "not-an-id", false, None)));
        Assert.Equal(KmsErrorCode.NotFoundException, await Code(() => Grants.RevokeAsync(Caller, key.Arn, new string('0', 64), false, None)));
        Assert.Equal(KmsErrorCode.ValidationException, await Code(() => Grants.RevokeAsync(Caller, key.Arn, null, false, None)));
    }

    [Fact]
    public async Task A_forged_token_for_an_existing_grant_is_refused()
    {
        var key = await _kms.CreateKeyAsync();
        var created = await Grants.CreateAsync(Caller, Request(key), false, None);
        // Same layout, same key and grant id, but a MAC made with another secret.
        var forged = GrantToken.Create(created.Grant with { TokenKey = new byte[32] }, SystemRandomSource.Instance);
        Assert.True(GrantToken.TryParse(forged, out _));

        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, (await RefusedAsync(() => Grants.FindApplicableGrantsAsync(key, [forged], None).AsTask())).Code);
        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, (await RefusedAsync(() => Grants.RetireAsync(Caller, forged, null, null, false, None))).Code);
        Assert.Single((await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items);
    }

    [Fact]
    public async Task FindApplicableGrants_returns_only_the_keys_grants_and_ignores_tokens_for_other_keys()
    {
        var key = await _kms.CreateKeyAsync();
        var other = await _kms.CreateKeyAsync();
        var mine = await Grants.CreateAsync(Caller, Request(key), false, None);
        var theirs = await Grants.CreateAsync(Caller, Request(other), false, None);

        var applicable = await Grants.FindApplicableGrantsAsync(key, [theirs.GrantToken, mine.GrantToken], None);
        Assert.Equal(mine.Grant.Id, Assert.Single(applicable).Id);
        Assert.Equal(KmsErrorCode.InvalidGrantTokenException, (await RefusedAsync(() => Grants.FindApplicableGrantsAsync(key, ["junk"], None).AsTask())).Code);
    }

    [Fact]
    public async Task Keys_pending_deletion_take_no_new_grants_but_list_and_revoke_them_and_deletion_removes_them()
    {
        var key = await _kms.CreateKeyAsync();
        var keep = await Grants.CreateAsync(Caller, Request(key), false, None);
        var revoke = await Grants.CreateAsync(Caller, Request(key), false, None);
        var other = await _kms.CreateKeyAsync();
        await Grants.CreateAsync(Caller, Request(other), false, None);
        await _kms.Domain.KeyManager.ScheduleDeletionAsync(Caller, key.Id.Value, 7, None);

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, (await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key), false, None))).Code);
        Assert.Equal(2, (await Grants.ListAsync(Caller, key.Arn, 50, null, null, null, None)).Items.Count);
        await Grants.RevokeAsync(Caller, key.Arn, revoke.Grant.Id.Value, false, None);

        _kms.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, (await _kms.Domain.DeletionSweeper.SweepAsync(None)).Deleted);
        var remaining = await _kms.RawEntriesAsync("grants");
        Assert.Single(remaining);
        Assert.StartsWith($"{other.Account}/{other.Region}/{other.Id}/", remaining[0].Key.Id);
        Assert.Empty(await _kms.Domain.Grants.ListForKeyAsync(key, None)); // the cache forgot them too
        Assert.Equal(KmsErrorCode.NotFoundException, (await RefusedAsync(() => Grants.RetireAsync(Caller, keep.GrantToken, null, null, false, None))).Code);
    }

    [Fact]
    public async Task A_disabled_key_takes_no_grants_until_it_is_enabled()
    {
        // AWS KMS key-state table: CreateGrant on a disabled key is "[1] DisabledException: <key ARN> is disabled."
        var key = await _kms.CreateKeyAsync();
        await _kms.Domain.KeyManager.DisableAsync(Caller, key.Id.Value, None);
        Assert.Equal(KmsErrorCode.DisabledException, (await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key), false, None))).Code);
        Assert.Equal(KmsErrorCode.DisabledException, (await RefusedAsync(() => Grants.CreateAsync(Caller, Request(key), true, None))).Code);

        await _kms.Domain.KeyManager.EnableAsync(Caller, key.Id.Value, None);
        await Grants.CreateAsync(Caller, Request(key), false, None);
    }
}
