using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Groups;
using Keyhaven.Identity.Policies;
using Keyhaven.Identity.Storage;
using Keyhaven.Identity.Users;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Validation;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    internal const string GroupsTable = "iam_groups";

    /// <summary>IAM's quota for the aggregate size (without whitespace) of a group's inline policies.</summary>
    public const int GroupInlinePolicyQuota = 5_120;

    /// <summary>IAM's quota of groups a user may be in.</summary>
    public const int GroupsPerUserQuota = 10;

    private readonly RecordCache<GroupDocument> _groups;

    /// <summary>Creates a group (<c>arn:aws:iam::ACCOUNT:group/PATH/NAME</c>, id <c>AGPA…</c>).</summary>
    /// <exception cref="IdentityException"><c>EntityAlreadyExists</c>, <c>ValidationError</c>.</exception>
    public async Task<IamGroup> CreateGroupAsync(AccountId account, string groupName, string? path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(groupName, "groupName", 1, 128);
        path = IdentityValidation.Path(path);
        var document = new GroupDocument
        {
            Account = account.Value, GroupName = groupName, Path = path, GroupId = NewId("AGPA", 21),
            Arn = $"arn:aws:iam::{account.Value}:group{path}{groupName}", CreateDate = now,
        };
        var key = new StorageKey(GroupsTable, EntityId(account, groupName));
        await InsertAsync(key, document, IdentityJsonContext.Default.GroupDocument, $"Group with name `{groupName}` already exists.", cancellationToken);
        _groups.Invalidate(key.Id);
        return ToGroup(document);
    }

    /// <summary>Returns a group and its members (ordered by name).</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<(IamGroup Group, IReadOnlyList<IamUser> Users)> GetGroupAsync(AccountId account, string groupName, CancellationToken cancellationToken)
    {
        var group = await RequireGroupAsync(account, groupName, cancellationToken);
        var users = new List<IamUser>();
        foreach (var name in group.UserNames.Order(StringComparer.OrdinalIgnoreCase))
        {
            if (await FindUserAsync(account.Value, name, cancellationToken) is { } user)
            {
                users.Add(ToUser(user));
            }
        }

        return (ToGroup(group), users);
    }

    /// <summary>Lists the account's groups whose path starts with <paramref name="pathPrefix"/>, ordered by name.</summary>
    public async Task<IReadOnlyList<IamGroup>> ListGroupsAsync(AccountId account, string? pathPrefix, CancellationToken cancellationToken)
    {
        var groups = await ListAllAsync(GroupsTable, account, IdentityJsonContext.Default.GroupDocument, cancellationToken);
        return groups.Where(g => g.Path.StartsWith(pathPrefix ?? "/", StringComparison.Ordinal))
            .OrderBy(g => g.GroupName, StringComparer.OrdinalIgnoreCase).Select(ToGroup).ToList();
    }

    /// <summary>Deletes a group that has no members, inline policies or attached policies left.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>DeleteConflict</c>.</exception>
    public async Task DeleteGroupAsync(AccountId account, string groupName, CancellationToken cancellationToken)
    {
        var key = new StorageKey(GroupsTable, EntityId(account, groupName ?? ""));
        await _store.WriteAsync(async transaction =>
        {
            var (group, version) = await RequireGroupAsync(transaction, key, groupName, cancellationToken);
            if (group.UserNames.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must remove users from group first.");
            }

            if (group.Policies.Count > 0 || group.AttachedPolicyArns.Count > 0)
            {
                throw new IdentityException(IdentityErrorCode.DeleteConflict, "Cannot delete entity, must delete policies first.");
            }

            await transaction.DeleteAsync(key, version, cancellationToken);
            return true;
        }, cancellationToken);
        _groups.Invalidate(key.Id);
    }

    /// <summary>Adds a user to a group (at most 10 groups per user); adding a member again changes nothing.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (user or group), <c>LimitExceeded</c>.</exception>
    public Task AddUserToGroupAsync(AccountId account, string groupName, string userName, CancellationToken cancellationToken) =>
        ChangeMembershipAsync(account, groupName, userName, add: true, cancellationToken);

    /// <summary>Removes a user from a group; the group's policies stop applying to the user on the next request.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (user, group, or not a member).</exception>
    public Task RemoveUserFromGroupAsync(AccountId account, string groupName, string userName, CancellationToken cancellationToken) =>
        ChangeMembershipAsync(account, groupName, userName, add: false, cancellationToken);

    /// <summary>The groups a user is in, ordered by name.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<IamGroup>> ListGroupsForUserAsync(AccountId account, string userName, CancellationToken cancellationToken)
    {
        var user = await RequireUserAsync(account, userName, cancellationToken);
        var groups = new List<IamGroup>();
        foreach (var name in user.GroupNames.Order(StringComparer.OrdinalIgnoreCase))
        {
            if (await FindGroupAsync(account.Value, name, cancellationToken) is { } group)
            {
                groups.Add(ToGroup(group));
            }
        }

        return groups;
    }

    /// <summary>Adds or replaces a group's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>, <c>MalformedPolicyDocument</c>, <c>LimitExceeded</c> (5,120 characters in all), <c>ValidationError</c>.</exception>
    public Task PutGroupPolicyAsync(AccountId account, string groupName, string policyName, string policyDocument, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(policyName, "policyName", 1, 128);
        IdentityValidation.Policy(policyDocument, PolicyType.Identity, "policy document");
        return UpdateGroupAsync(account, groupName, group =>
        {
            group.Policies[policyName] = policyDocument;
            if (group.Policies.Values.Sum(IdentityValidation.NonWhitespaceLength) > GroupInlinePolicyQuota)
            {
                throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Maximum policy size of {GroupInlinePolicyQuota} bytes exceeded for group `{group.GroupName}`.");
            }
        }, cancellationToken);
    }

    /// <summary>Returns a group's inline policy document as it was put, with the group's name as stored.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<(string GroupName, string Document)> GetGroupPolicyAsync(AccountId account, string groupName, string policyName, CancellationToken cancellationToken)
    {
        var group = await RequireGroupAsync(account, groupName, cancellationToken);
        return group.Policies.TryGetValue(policyName, out var document)
            ? (group.GroupName, document)
            : throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The group policy with name `{policyName}` cannot be found.");
    }

    /// <summary>Deletes a group's inline policy.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public Task DeleteGroupPolicyAsync(AccountId account, string groupName, string policyName, CancellationToken cancellationToken) =>
        UpdateGroupAsync(account, groupName, group =>
        {
            if (!group.Policies.Remove(policyName))
            {
                throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"The group policy with name `{policyName}` cannot be found.");
            }
        }, cancellationToken);

    /// <summary>Names of a group's inline policies, in order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<string>> ListGroupPoliciesAsync(AccountId account, string groupName, CancellationToken cancellationToken) =>
        (await RequireGroupAsync(account, groupName, cancellationToken)).Policies.Keys.ToList();

    /// <summary>Attaches a managed policy to a group (at most 10 per group); attaching it again changes nothing.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (group or policy), <c>LimitExceeded</c>, <c>InvalidInput</c>.</exception>
    public Task AttachGroupPolicyAsync(AccountId account, string groupName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.Group, groupName, policyArn, attach: true, cancellationToken);

    /// <summary>Detaches a managed policy from a group.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c> (group, policy, or not attached), <c>InvalidInput</c>.</exception>
    public Task DetachGroupPolicyAsync(AccountId account, string groupName, string policyArn, CancellationToken cancellationToken) =>
        AttachAsync(account, Attachee.Group, groupName, policyArn, attach: false, cancellationToken);

    /// <summary>Managed policies attached to a group, in attachment order.</summary>
    /// <exception cref="IdentityException"><c>NoSuchEntity</c>.</exception>
    public async Task<IReadOnlyList<AttachedPolicy>> ListAttachedGroupPoliciesAsync(AccountId account, string groupName, CancellationToken cancellationToken) =>
        ToAttached((await RequireGroupAsync(account, groupName, cancellationToken)).AttachedPolicyArns);

    private async Task ChangeMembershipAsync(AccountId account, string groupName, string userName, bool add, CancellationToken cancellationToken)
    {
        var groupKey = new StorageKey(GroupsTable, EntityId(account, groupName ?? ""));
        var userKey = new StorageKey(UsersTable, EntityId(account, userName ?? ""));
        var (group, user) = await _store.WriteAsync(async transaction =>
        {
            var (group, groupVersion) = await RequireGroupAsync(transaction, groupKey, groupName, cancellationToken);
            var (user, userVersion) = await RequireUserAsync(transaction, userKey, userName!, cancellationToken);
            var member = user.GroupNames.Exists(n => string.Equals(n, group.GroupName, StringComparison.OrdinalIgnoreCase));
            if (add)
            {
                if (member)
                {
                    return (group, user);
                }

                if (user.GroupNames.Count >= GroupsPerUserQuota)
                {
                    throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Cannot exceed quota for GroupsPerUser: {GroupsPerUserQuota}.");
                }

                user.GroupNames.Add(group.GroupName);
                group.UserNames.Add(user.UserName);
            }
            else
            {
                if (!member)
                {
                    throw new IdentityException(IdentityErrorCode.NoSuchEntity, $"User `{userName}` is not in group `{groupName}`.");
                }

                user.GroupNames.RemoveAll(n => string.Equals(n, group.GroupName, StringComparison.OrdinalIgnoreCase));
                group.UserNames.RemoveAll(n => string.Equals(n, user.UserName, StringComparison.OrdinalIgnoreCase));
            }

            await PutAsync(transaction, groupKey, groupVersion, group, IdentityJsonContext.Default.GroupDocument, cancellationToken);
            await PutAsync(transaction, userKey, userVersion, user, IdentityJsonContext.Default.UserDocument, cancellationToken);
            return (group, user);
        }, cancellationToken);
        _groups.Invalidate(groupKey.Id);
        _users.Invalidate(userKey.Id);
    }

    private async Task UpdateGroupAsync(AccountId account, string groupName, Action<GroupDocument> change, CancellationToken cancellationToken)
    {
        var key = new StorageKey(GroupsTable, EntityId(account, groupName ?? ""));
        var group = await _store.WriteAsync(async transaction =>
        {
            var (group, version) = await RequireGroupAsync(transaction, key, groupName, cancellationToken);
            change(group);
            await PutAsync(transaction, key, version, group, IdentityJsonContext.Default.GroupDocument, cancellationToken);
            return group;
        }, cancellationToken);
        _groups.Invalidate(key.Id);
    }

    private async ValueTask<GroupDocument?> FindGroupAsync(string account, string groupName, CancellationToken cancellationToken) =>
        await FindCachedAsync(_groups, GroupsTable, account + "/" + groupName.ToLowerInvariant(), IdentityJsonContext.Default.GroupDocument, cancellationToken);

    private async Task<GroupDocument> RequireGroupAsync(AccountId account, string groupName, CancellationToken cancellationToken) =>
        await FindGroupAsync(account.Value, groupName ?? "", cancellationToken) ?? throw NoSuchGroup(groupName);

    private static async Task<(GroupDocument, long)> RequireGroupAsync(RecordTransaction transaction, StorageKey key, string? groupName, CancellationToken cancellationToken) =>
        await ReadAsync(transaction, key, IdentityJsonContext.Default.GroupDocument, cancellationToken) ?? throw NoSuchGroup(groupName);

    private static IamGroup ToGroup(GroupDocument d) => new(d.GroupName, d.Path, d.GroupId, d.Arn, d.CreateDate);

    private static IdentityException NoSuchGroup(string? groupName) =>
        new(IdentityErrorCode.NoSuchEntity, $"The group with name `{groupName}` cannot be found.");
}
