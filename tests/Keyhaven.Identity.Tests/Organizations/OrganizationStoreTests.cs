using Keyhaven.Identity.Organizations;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Tests.Support;
using Keyhaven.Policy.Arns;
using static Keyhaven.Identity.Tests.Support.IdentityHarness;

namespace Keyhaven.Identity.Tests.Organizations;

/// <summary>The organization domain: ids, defaults, accounts and their access role, OUs, SCP/RCP lifecycle, guardrails.</summary>
public sealed class OrganizationStoreTests
{
    private const string Scp = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"security"}}}]}""";

    private static readonly IdentityPrincipal Root = new()
    {
        Kind = PrincipalKind.Root, Account = Account, Arn = $"arn:aws:iam::{Account.Value}:root", UserId = Account.Value, AccessKeyId = "AKIAROOTROOTROOTROOT",
    };

    private static async Task<(IdentityHarness H, OrganizationStore Org, OrganizationInfo Info)> CreateAsync()
    {
        var h = await OpenAsync();
        var info = await h.Identity.Organizations.CreateOrganizationAsync(Root, h.Now, None);
        return (h, h.Identity.Organizations, info);
    }

    [Fact]
    public async Task Create_organization_makes_ids_in_AWS_formats_and_enables_SCPs_and_RCPs_on_the_root()
    {
        var (h, org, info) = await CreateAsync();
        await using var _ = h;
        Assert.Matches("^o-[a-z0-9]{10}$", info.Id);
        Assert.Equal($"arn:aws:organizations::{Account.Value}:organization/{info.Id}", info.Arn);
        Assert.Equal(Account.Value, info.ManagementAccountId);
        var root = Assert.Single(await org.ListRootsAsync(Root, None));
        Assert.Matches("^r-[a-z0-9]{4}$", root.Id);
        Assert.Equal([OrganizationPolicyType.ServiceControlPolicy, OrganizationPolicyType.ResourceControlPolicy], root.PolicyTypes);
        var error = await Assert.ThrowsAsync<OrganizationException>(() => org.EnablePolicyTypeAsync(Root, root.Id, "SERVICE_CONTROL_POLICY", None));
        Assert.Equal(OrganizationErrorCode.PolicyTypeAlreadyEnabledException, error.Code);
        error = await Assert.ThrowsAsync<OrganizationException>(() => org.CreateOrganizationAsync(Root, h.Now, None));
        Assert.Equal(OrganizationErrorCode.AlreadyInOrganizationException, error.Code);
        Assert.Equal(info, await h.Reopen().Organizations.DescribeOrganizationAsync(Root, None));
    }

    [Fact]
    public async Task Without_an_organization_calls_are_NotInUse_and_there_are_no_guardrails()
    {
        await using var h = await OpenAsync();
        var error = await Assert.ThrowsAsync<OrganizationException>(() => h.Identity.Organizations.DescribeOrganizationAsync(Root, None));
        Assert.Equal(OrganizationErrorCode.AWSOrganizationsNotInUseException, error.Code);
        Assert.Null(await h.Identity.Organizations.GetGuardrailsAsync(Account.Value, None));
    }

    [Fact]
    public async Task Only_the_management_accounts_root_may_call()
    {
        var (h, org, _) = await CreateAsync();
        await using var _h = h;
        var user = await h.UserAsync("admin", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""");
        var error = await Assert.ThrowsAsync<OrganizationException>(() => org.ListAccountsAsync(user, None));
        Assert.Equal(OrganizationErrorCode.AccessDeniedException, error.Code);
        var otherRoot = Root with { Account = AccountId.Parse("999988887777"), Arn = "arn:aws:iam::999988887777:root" };
        error = await Assert.ThrowsAsync<OrganizationException>(() => org.CreatePolicyAsync(otherRoot, "x", "", "SERVICE_CONTROL_POLICY", Scp, None));
        Assert.Equal(OrganizationErrorCode.AccessDeniedException, error.Code);
    }

    [Fact]
    public async Task Create_account_completes_at_once_with_the_access_role_trusted_by_the_management_account()
    {
        var (h, org, _) = await CreateAsync();
        await using var _h = h;
        var status = await org.CreateAccountAsync(Root, "dev@example.com", "dev", null, h.Now, None);
        Assert.Equal("SUCCEEDED", status.State);
        Assert.Matches("^car-[a-z0-9]{32}$", status.Id);
        Assert.Matches(@"^\d{12}$", status.AccountId);
        Assert.Equal(status, await org.DescribeCreateAccountStatusAsync(Root, status.Id, None));
        Assert.Equal([Account.Value, status.AccountId], (await org.ListAccountsAsync(Root, None)).Select(a => a.Id));

        var member = AccountId.Parse(status.AccountId!);
        var role = await h.Identity.GetRoleAsync(member, OrganizationStore.DefaultAccessRoleName, None);
        Assert.Equal($"arn:aws:iam::{member.Value}:role/OrganizationAccountAccessRole", role.Arn);
        Assert.Contains($"arn:aws:iam::{Account.Value}:root", role.AssumeRolePolicyDocument);
        Assert.Contains("\"Action\":\"*\"", await h.Identity.GetRolePolicyAsync(member, role.RoleName, "AdministratorAccess", None));

        // An administrator of the management account reaches the member account through the role.
        var admin = await h.UserAsync("admin", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var session = await h.Identity.AssumeRoleAsync(admin, role.Arn, "ops", null, null, null, h.Now, None);
        Assert.Equal($"arn:aws:sts::{member.Value}:assumed-role/OrganizationAccountAccessRole/ops", session.Arn);

        var again = await org.CreateAccountAsync(Root, "DEV@example.com", "dev2", null, h.Now, None);
        Assert.Equal(("FAILED", "EMAIL_ALREADY_EXISTS", null), (again.State, again.FailureReason, again.AccountId));
    }

    [Fact]
    public async Task OUs_have_root_scoped_ids_unique_names_and_accounts_move_between_parents()
    {
        var (h, org, _) = await CreateAsync();
        await using var _h = h;
        var root = (await org.ListRootsAsync(Root, None))[0];
        var ou = await org.CreateOrganizationalUnitAsync(Root, root.Id, "prod", None);
        Assert.Matches($"^ou-{root.Id[2..]}-[a-z0-9]{{8}}$", ou.Id);
        var duplicate = await Assert.ThrowsAsync<OrganizationException>(() => org.CreateOrganizationalUnitAsync(Root, root.Id, "prod", None));
        Assert.Equal(OrganizationErrorCode.DuplicateOrganizationalUnitException, duplicate.Code);
        var missing = await Assert.ThrowsAsync<OrganizationException>(() => org.ListOrganizationalUnitsForParentAsync(Root, "ou-zzzz-zzzzzzzz", None));
        Assert.Equal(OrganizationErrorCode.ParentNotFoundException, missing.Code);
        Assert.Equal(ou, Assert.Single(await org.ListOrganizationalUnitsForParentAsync(Root, root.Id, None)));

        var account = (await org.CreateAccountAsync(Root, "a@example.com", "a", null, h.Now, None)).AccountId!;
        await org.MoveAccountAsync(Root, account, root.Id, ou.Id, None);
        Assert.Equal(account, Assert.Single(await org.ListAccountsForParentAsync(Root, ou.Id, None)).Id);
        Assert.Equal((ou.Id, "ORGANIZATIONAL_UNIT"), await org.GetParentAsync(Root, account, None));
        Assert.Equal((root.Id, "ROOT"), await org.GetParentAsync(Root, ou.Id, None));
        Assert.Equal(ou, await org.DescribeOrganizationalUnitAsync(Root, ou.Id, None));
        var child = await Assert.ThrowsAsync<OrganizationException>(() => org.GetParentAsync(Root, "123456789012", None));
        Assert.Equal(OrganizationErrorCode.ChildNotFoundException, child.Code);
        var unit = await Assert.ThrowsAsync<OrganizationException>(() => org.DescribeOrganizationalUnitAsync(Root, "ou-zzzz-zzzzzzzz", None));
        Assert.Equal(OrganizationErrorCode.OrganizationalUnitNotFoundException, unit.Code);
        var again = await Assert.ThrowsAsync<OrganizationException>(() => org.MoveAccountAsync(Root, account, root.Id, ou.Id, None));
        Assert.Equal(OrganizationErrorCode.AccountNotFoundException, again.Code);
        var wrongDestination = await Assert.ThrowsAsync<OrganizationException>(() => org.MoveAccountAsync(Root, account, ou.Id, "ou-zzzz-zzzzzzzz", None));
        Assert.Equal(OrganizationErrorCode.DestinationParentNotFoundException, wrongDestination.Code);
    }

    [Fact]
    public async Task Policies_are_validated_attached_and_detached_with_AWS_errors()
    {
        var (h, org, _) = await CreateAsync();
        await using var _h = h;
        var root = (await org.ListRootsAsync(Root, None))[0].Id;
        var bad = await Assert.ThrowsAsync<OrganizationException>(() => org.CreatePolicyAsync(Root, "bad", "", "SERVICE_CONTROL_POLICY", """{"Statement":[{"Effect":"Allow"}]}""", None));
        Assert.Equal(OrganizationErrorCode.MalformedPolicyDocumentException, bad.Code);
        var type = await Assert.ThrowsAsync<OrganizationException>(() => org.CreatePolicyAsync(Root, "t", "", "TAG_POLICY", Scp, None));
        Assert.Equal(OrganizationErrorCode.InvalidInputException, type.Code);

        var policy = await org.CreatePolicyAsync(Root, "no-deletion", "deny deletion", "SERVICE_CONTROL_POLICY", Scp, None);
        Assert.Matches("^p-[a-z0-9]{8}$", policy.Id);
        Assert.Equal(["FullAWSAccess", "no-deletion"], (await org.ListPoliciesAsync(Root, "SERVICE_CONTROL_POLICY", None)).Select(p => p.Name));
        Assert.Equal(["RCPFullAWSAccess"], (await org.ListPoliciesAsync(Root, "RESOURCE_CONTROL_POLICY", None)).Select(p => p.Name));
        var dup = await Assert.ThrowsAsync<OrganizationException>(() => org.CreatePolicyAsync(Root, "no-deletion", "", "SERVICE_CONTROL_POLICY", Scp, None));
        Assert.Equal(OrganizationErrorCode.DuplicatePolicyException, dup.Code);

        await org.AttachPolicyAsync(Root, policy.Id, root, None);
        var twice = await Assert.ThrowsAsync<OrganizationException>(() => org.AttachPolicyAsync(Root, policy.Id, root, None));
        Assert.Equal(OrganizationErrorCode.DuplicatePolicyAttachmentException, twice.Code);
        var target = await Assert.ThrowsAsync<OrganizationException>(() => org.AttachPolicyAsync(Root, policy.Id, "123456789012", None));
        Assert.Equal(OrganizationErrorCode.TargetNotFoundException, target.Code);
        Assert.Equal([OrganizationStore.FullAwsAccessId, policy.Id], (await org.ListPoliciesForTargetAsync(Root, root, "SERVICE_CONTROL_POLICY", None)).Select(p => p.Id));
        var inUse = await Assert.ThrowsAsync<OrganizationException>(() => org.DeletePolicyAsync(Root, policy.Id, None));
        Assert.Equal(OrganizationErrorCode.PolicyInUseException, inUse.Code);

        await org.DetachPolicyAsync(Root, OrganizationStore.FullAwsAccessId, root, None);
        var last = await Assert.ThrowsAsync<OrganizationException>(() => org.DetachPolicyAsync(Root, policy.Id, root, None));
        Assert.Equal((OrganizationErrorCode.ConstraintViolationException, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"), (last.Code, last.Reason));
        var notAttached = await Assert.ThrowsAsync<OrganizationException>(() => org.DetachPolicyAsync(Root, OrganizationStore.FullAwsAccessId, root, None));
        Assert.Equal(OrganizationErrorCode.PolicyNotAttachedException, notAttached.Code);
        var managed = await Assert.ThrowsAsync<OrganizationException>(() => org.DeletePolicyAsync(Root, OrganizationStore.FullAwsAccessId, None));
        Assert.Equal(OrganizationErrorCode.AccessDeniedException, managed.Code);

        var updated = await org.UpdatePolicyAsync(Root, policy.Id, "renamed", null, null, None);
        Assert.Equal(("renamed", "deny deletion", Scp), (updated.Name, updated.Description, updated.Content));
        await org.AttachPolicyAsync(Root, OrganizationStore.FullAwsAccessId, root, None);
        await org.DetachPolicyAsync(Root, policy.Id, root, None);
        await org.DeletePolicyAsync(Root, policy.Id, None);
        var gone = await Assert.ThrowsAsync<OrganizationException>(() => org.DescribePolicyAsync(Root, policy.Id, None));
        Assert.Equal(OrganizationErrorCode.PolicyNotFoundException, gone.Code);
    }

    [Fact]
    public async Task Guardrails_list_levels_from_the_root_down_with_the_attached_policies_and_the_org_path()
    {
        var (h, org, info) = await CreateAsync();
        await using var _h = h;
        var root = (await org.ListRootsAsync(Root, None))[0].Id;
        var prod = await org.CreateOrganizationalUnitAsync(Root, root, "prod", None);
        var eu = await org.CreateOrganizationalUnitAsync(Root, prod.Id, "eu", None);
        var account = (await org.CreateAccountAsync(Root, "a@example.com", "a", null, h.Now, None)).AccountId!;
        await org.MoveAccountAsync(Root, account, root, eu.Id, None);
        var policy = await org.CreatePolicyAsync(Root, "no-deletion", "", "SERVICE_CONTROL_POLICY", Scp, None);
        await org.AttachPolicyAsync(Root, policy.Id, prod.Id, None);

        var guardrails = (await h.Reopen().Organizations.GetGuardrailsAsync(account, None))!;
        Assert.Equal(info.Id, guardrails.OrganizationId);
        Assert.Equal(Account, guardrails.ManagementAccount);
        Assert.Equal([$"{info.Id}/{root}/{prod.Id}/{eu.Id}/"], guardrails.OrgPaths);
        Assert.Equal([root, prod.Id, eu.Id, account], guardrails.ServiceControlPolicies.Select(l => l.OrgIdentifier));
        Assert.Equal(["FullAWSAccess", "FullAWSAccess,no-deletion", "FullAWSAccess", "FullAWSAccess"],
            guardrails.ServiceControlPolicies.Select(l => string.Join(",", l.Policies.Select(p => p.Name))));
        Assert.Equal(Scp, guardrails.ServiceControlPolicies[1].Policies[1].Document);
        Assert.All(guardrails.ResourceControlPolicies, l => Assert.Equal("RCPFullAWSAccess", Assert.Single(l.Policies).Name));
        Assert.Null(await org.GetGuardrailsAsync("123456789012", None));
        Assert.Equal([$"{info.Id}/{root}/"], (await org.GetGuardrailsAsync(Account.Value, None))!.OrgPaths);
    }

    [Fact]
    public async Task Concurrent_changes_all_land_and_the_cached_organization_is_the_latest()
    {
        var (h, org, _) = await CreateAsync();
        await using var _h = h;
        var root = (await org.ListRootsAsync(Root, None))[0].Id;
        var policies = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => org.CreatePolicyAsync(Root, "p" + i, "", "SERVICE_CONTROL_POLICY", Scp, None)));
        await Task.WhenAll(policies.Select(p => org.AttachPolicyAsync(Root, p.Id, root, None)));

        var expected = policies.Select(p => p.Id).Append(OrganizationStore.FullAwsAccessId).Order().ToList();
        Assert.Equal(expected, (await org.GetGuardrailsAsync(Account.Value, None))!.ServiceControlPolicies[0].Policies.Select(p => p.Id).Order());
        Assert.Equal(expected, (await h.Reopen().Organizations.GetGuardrailsAsync(Account.Value, None))!.ServiceControlPolicies[0].Policies.Select(p => p.Id).Order());
    }
}
