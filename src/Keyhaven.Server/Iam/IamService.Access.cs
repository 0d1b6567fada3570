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

    /// <summary>Actions whose <c>PolicyArn</c> parameter is <c>iam:PolicyARN</c>.</summary>
    // spec: service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html (iam:PolicyARN)
    private static readonly HashSet<string> PolicyArnActions = new(StringComparer.Ordinal)
    {
        "AttachUserPolicy", "DetachUserPolicy", "AttachRolePolicy", "DetachRolePolicy", "AttachGroupPolicy", "DetachGroupPolicy",
    };

    /// <summary>Actions that set a boundary: their <c>PermissionsBoundary</c> parameter is <c>iam:PermissionsBoundary</c>.</summary>
    private static readonly HashSet<string> BoundarySettingActions = new(StringComparer.Ordinal)
    {
        "CreateUser", "CreateRole", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary",
    };

    /// <summary>
    /// Actions that change a user's or role's permissions: <c>iam:PermissionsBoundary</c> is the boundary the entity has
    /// (absent when it has none), so a delegated administrator can be limited to the entities it bounded.
    /// </summary>
    // spec: IAM/latest/UserGuide/access_policies_boundaries.html (delegating responsibility: CreateOrChangeOnlyWithBoundary)
    private static readonly HashSet<string> BoundedEntityActions = new(StringComparer.Ordinal)
    {
        "AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "DeleteUserPolicy", "DeleteUserPermissionsBoundary",
        "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "DeleteRolePermissionsBoundary",
    };

    /// <summary>
    /// The resource an IAM call acts on, as its ARN with the entity's path (the path given on Create…, else the stored
    /// entity's; an entity that does not exist is named at the root path), and the condition keys the call adds: the
    /// tags it sets (<c>aws:RequestTag/…</c>, <c>aws:TagKeys</c>), the named user's or role's tags
    /// (<c>aws:ResourceTag/…</c>, <c>iam:ResourceTag/…</c>), the managed policy it attaches or detaches
    /// (<c>iam:PolicyARN</c>) and the permissions boundary it sets or the entity has (<c>iam:PermissionsBoundary</c>).
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

        if (PolicyArnActions.Contains(action) && query.Get("PolicyArn") is { } policyArn)
        {
            context["iam:PolicyARN"] = new ContextValues(policyArn);
        }

        if (BoundarySettingActions.Contains(action) && query.Get("PermissionsBoundary") is { } boundary)
        {
            context["iam:PermissionsBoundary"] = new ContextValues(boundary);
        }

        string resource;
        IReadOnlyList<KeyValuePair<string, string>> resourceTags = [];
        string? entityBoundary = null;
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
            entityBoundary = user?.PermissionsBoundaryArn;
        }
        else if (query.Get("RoleName") is { } roleName)
        {
            var role = action == "CreateRole" ? null : await ExistingAsync(() => Store.GetRoleAsync(account, roleName, cancellationToken), r => r);
            resource = $"arn:aws:iam::{account}:role{(action == "CreateRole" ? query.Get("Path") ?? "/" : role?.Path ?? "/")}{roleName}";
            resourceTags = role?.Tags ?? [];
            entityBoundary = role?.PermissionsBoundaryArn;
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

        if (BoundedEntityActions.Contains(action) && entityBoundary is not null)
        {
            context["iam:PermissionsBoundary"] = new ContextValues(entityBoundary);
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
