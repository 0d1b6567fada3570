using Keyhaven.Identity.Errors;
using Keyhaven.Policy.Context;
using Keyhaven.Server.Protocol;
using PolicyAccountId = Keyhaven.Policy.Arns.AccountId;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    /// <summary>Actions on a group that also name a user: AWS authorizes them on the group.</summary>
    private static readonly HashSet<string> GroupMembershipActions = new(StringComparer.Ordinal) { "AddUserToGroup", "RemoveUserFromGroup" };

    /// <summary>Actions whose <c>Tags</c> parameter sets tags (aws:RequestTag/…, aws:TagKeys).</summary>
    private static readonly HashSet<string> TaggingActions = new(StringComparer.Ordinal) { "CreateUser", "CreateRole", "CreatePolicy", "TagUser", "TagRole", "CreateOpenIDConnectProvider" };

    /// <summary>
    /// The resource an IAM call acts on, as its ARN with the entity's path (the path given on Create…, else the stored
    /// entity's; an entity that does not exist is named at the root path), and the condition keys the call adds: the
    /// tags it sets (<c>aws:RequestTag/…</c>, <c>aws:TagKeys</c>) and the named user's or role's tags
    /// (<c>aws:ResourceTag/…</c>, <c>iam:ResourceTag/…</c>).
    /// </summary>
    private async Task<(string Resource, IReadOnlyDictionary<string, ContextValues>? Context)> AccessAsync(QueryRequest query, PolicyAccountId account, CancellationToken cancellationToken)
    {
        var action = query.Action;
        var context = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        if (TaggingActions.Contains(action))
        {
            var tags = query.GetStructureList("Tags").Select(t => KeyValuePair.Create(t.GetValueOrDefault("Key") ?? "", t.GetValueOrDefault("Value") ?? "")).ToList();
            foreach (var (key, value) in tags)
            {
                context.TryAdd("aws:RequestTag/" + key, new ContextValues(value));
            }

            if (tags.Count > 0)
            {
                context["aws:TagKeys"] = new ContextValues(tags.Select(t => t.Key).ToArray());
            }
        }
        else if (action is "UntagUser" or "UntagRole")
        {
            context["aws:TagKeys"] = new ContextValues(query.GetList("TagKeys").ToArray());
        }

        string resource;
        IReadOnlyList<KeyValuePair<string, string>> resourceTags = [];
        if (query.Get("GroupName") is { } groupName && (query.Get("UserName") is null || GroupMembershipActions.Contains(action)))
        {
            var path = action == "CreateGroup" ? query.Get("Path") ?? "/" : await ExistingAsync(() => Store.GetGroupAsync(account, groupName, cancellationToken), g => g.Group.Path) ?? "/";
            resource = $"arn:aws:iam::{account}:group{path}{groupName}";
        }
        else if (query.Get("UserName") is { } userName)
        {
            var user = action == "CreateUser" ? null : await ExistingAsync(() => Store.GetUserAsync(account, userName, cancellationToken), u => u);
            resource = $"arn:aws:iam::{account}:user{(action == "CreateUser" ? query.Get("Path") ?? "/" : user?.Path ?? "/")}{userName}";
            resourceTags = user?.Tags ?? [];
        }
        else if (query.Get("RoleName") is { } roleName)
        {
            var role = action == "CreateRole" ? null : await ExistingAsync(() => Store.GetRoleAsync(account, roleName, cancellationToken), r => r);
            resource = $"arn:aws:iam::{account}:role{(action == "CreateRole" ? query.Get("Path") ?? "/" : role?.Path ?? "/")}{roleName}";
            resourceTags = role?.Tags ?? [];
        }
        else if (query.Get("OpenIDConnectProviderArn") is { } providerArn)
        {
            resource = providerArn;
        }
        else if (action == "CreateOpenIDConnectProvider")
        {
            resource = ProviderArnFor(account, query.Get("Url"));
        }
        else if (action == "CreatePolicy" && query.Get("PolicyName") is { } policyName)
        {
            resource = $"arn:aws:iam::{account}:policy{query.Get("Path") ?? "/"}{policyName}";
        }
        else
        {
            resource = query.Get("PolicyArn") ?? "*";
        }

        foreach (var (key, value) in resourceTags)
        {
            context.TryAdd("aws:ResourceTag/" + key, new ContextValues(value));
            context.TryAdd("iam:ResourceTag/" + key, new ContextValues(value));
        }

        return (resource, context.Count == 0 ? null : context);
    }

    /// <summary>The entity <paramref name="get"/> finds, projected, or default when it does not exist (the call itself will say so after authorization).</summary>
    private static async Task<TResult?> ExistingAsync<TEntity, TResult>(Func<Task<TEntity>> get, Func<TEntity, TResult> project)
    {
        try
        {
            return project(await get());
        }
        catch (IdentityException exception) when (exception.Code is IdentityErrorCode.NoSuchEntity or IdentityErrorCode.ValidationError)
        {
            return default;
        }
    }
}
