using System.Globalization;
using System.Text;
using System.Xml;
using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Users;
using Keyhaven.Server.Audit;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Keyhaven.Server.Sts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Keyhaven.Server.Sts.QueryServiceErrors;

namespace Keyhaven.Server.Iam;

/// <summary>
/// AWS IAM (Query protocol, version 2010-05-08): users, access keys, roles, groups, inline and managed policies and
/// permissions boundaries, OpenID Connect providers.
/// </summary>
/// <remarks>
/// Authorization: every call is <c>iam:&lt;Action&gt;</c> on the user, role, group or policy it names, by its ARN with
/// its path (else <c>*</c>), with the tags it sets and the tags of the user or role it names as condition keys, decided
/// by the policy engine over the caller's identity policies, boundary, session policy and SCPs.
/// </remarks>
internal sealed partial class IamService(IdentityStore identity, IdentityCallAuthorizer authorizer, KeyhavenServerOptions options, ILogger<IamService> logger) : IAwsService
{
    public const string Version = "2010-05-08";
    public const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";

    private delegate Task Operation(IamService service, Call call);

    private sealed record Call(AwsRequest Request, QueryRequest Query, Keyhaven.Policy.Arns.AccountId Account, DateTimeOffset Now)
    {
        public CancellationToken Cancellation => Request.Http.RequestAborted;

        public string Require(string name) => QueryServiceErrors.Require(Query, name);

        public Task WriteAsync(Action<XmlWriter> result) =>
            AwsQueryProtocol.WriteResultAsync(Request.Http, Namespace, Query.Action, Request.RequestId, result);

        public Task WriteEmptyAsync() => WriteAsync(_ => { });

        public IReadOnlyList<KeyValuePair<string, string>> Tags() =>
            Query.GetStructureList("Tags").Select(t => KeyValuePair.Create(t.GetValueOrDefault("Key") ?? "", t.GetValueOrDefault("Value") ?? "")).ToList();
    }

    private static readonly Dictionary<string, Operation> Operations = new(StringComparer.Ordinal)
    {
        ["CreateUser"] = (s, c) => s.CreateUserAsync(c),
        ["GetUser"] = (s, c) => s.GetUserAsync(c),
        ["ListUsers"] = (s, c) => s.ListUsersAsync(c),
        ["DeleteUser"] = async (s, c) => { await s.Store.DeleteUserAsync(c.Account, c.Require("UserName"), c.Cancellation); await c.WriteEmptyAsync(); },
        ["CreateAccessKey"] = (s, c) => s.CreateAccessKeyAsync(c),
        ["ListAccessKeys"] = (s, c) => s.ListAccessKeysAsync(c),
        ["UpdateAccessKey"] = (s, c) => s.UpdateAccessKeyAsync(c),
        ["DeleteAccessKey"] = async (s, c) =>
        {
            await s.Store.DeleteAccessKeyAsync(c.Account, c.Require("UserName"), c.Require("AccessKeyId"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["CreateRole"] = (s, c) => s.CreateRoleAsync(c),
        ["GetRole"] = async (s, c) =>
        {
            var role = await s.Store.GetRoleAsync(c.Account, c.Require("RoleName"), c.Cancellation);
            await c.WriteAsync(xml => IamXml.WriteRole(xml, role));
        },
        ["ListRoles"] = (s, c) => s.ListRolesAsync(c),
        ["DeleteRole"] = async (s, c) => { await s.Store.DeleteRoleAsync(c.Account, c.Require("RoleName"), c.Cancellation); await c.WriteEmptyAsync(); },
        ["UpdateAssumeRolePolicy"] = async (s, c) =>
        {
            await s.Store.UpdateAssumeRolePolicyAsync(c.Account, c.Require("RoleName"), c.Require("PolicyDocument"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["PutUserPolicy"] = async (s, c) =>
        {
            await s.Store.PutUserPolicyAsync(c.Account, c.Require("UserName"), c.Require("PolicyName"), c.Require("PolicyDocument"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["GetUserPolicy"] = async (s, c) =>
        {
            var (user, name) = (c.Require("UserName"), c.Require("PolicyName"));
            var document = await s.Store.GetUserPolicyAsync(c.Account, user, name, c.Cancellation);
            var canonicalUser = (await s.Store.GetUserAsync(c.Account, user, c.Cancellation)).UserName;
            await c.WriteAsync(xml =>
            {
                xml.WriteElementString("UserName", canonicalUser);
                xml.WriteElementString("PolicyName", name);
                xml.WriteElementString("PolicyDocument", IamXml.EncodePolicy(document));
            });
        },
        ["DeleteUserPolicy"] = async (s, c) =>
        {
            await s.Store.DeleteUserPolicyAsync(c.Account, c.Require("UserName"), c.Require("PolicyName"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["ListUserPolicies"] = async (s, c) => await WritePolicyNamesAsync(c, await s.Store.ListUserPoliciesAsync(c.Account, c.Require("UserName"), c.Cancellation)),
        ["PutRolePolicy"] = async (s, c) =>
        {
            await s.Store.PutRolePolicyAsync(c.Account, c.Require("RoleName"), c.Require("PolicyName"), c.Require("PolicyDocument"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["GetRolePolicy"] = async (s, c) =>
        {
            var (role, name) = (c.Require("RoleName"), c.Require("PolicyName"));
            var document = await s.Store.GetRolePolicyAsync(c.Account, role, name, c.Cancellation);
            var canonicalRole = (await s.Store.GetRoleAsync(c.Account, role, c.Cancellation)).RoleName;
            await c.WriteAsync(xml =>
            {
                xml.WriteElementString("RoleName", canonicalRole);
                xml.WriteElementString("PolicyName", name);
                xml.WriteElementString("PolicyDocument", IamXml.EncodePolicy(document));
            });
        },
        ["DeleteRolePolicy"] = async (s, c) =>
        {
            await s.Store.DeleteRolePolicyAsync(c.Account, c.Require("RoleName"), c.Require("PolicyName"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["ListRolePolicies"] = async (s, c) => await WritePolicyNamesAsync(c, await s.Store.ListRolePoliciesAsync(c.Account, c.Require("RoleName"), c.Cancellation)),
        ["CreatePolicy"] = (s, c) => s.CreatePolicyAsync(c),
        ["GetPolicy"] = (s, c) => s.GetPolicyAsync(c),
        ["ListPolicies"] = (s, c) => s.ListPoliciesAsync(c),
        ["DeletePolicy"] = async (s, c) => { await s.Store.DeletePolicyAsync(c.Account, c.Require("PolicyArn"), c.Cancellation); await c.WriteEmptyAsync(); },
        ["CreatePolicyVersion"] = (s, c) => s.CreatePolicyVersionAsync(c),
        ["GetPolicyVersion"] = (s, c) => s.GetPolicyVersionAsync(c),
        ["ListPolicyVersions"] = (s, c) => s.ListPolicyVersionsAsync(c),
        ["SetDefaultPolicyVersion"] = async (s, c) =>
        {
            await s.Store.SetDefaultPolicyVersionAsync(c.Account, c.Require("PolicyArn"), c.Require("VersionId"), c.Now, c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["DeletePolicyVersion"] = async (s, c) =>
        {
            await s.Store.DeletePolicyVersionAsync(c.Account, c.Require("PolicyArn"), c.Require("VersionId"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["AttachUserPolicy"] = (s, c) => Empty(c, s.Store.AttachUserPolicyAsync(c.Account, c.Require("UserName"), c.Require("PolicyArn"), c.Cancellation)),
        ["DetachUserPolicy"] = (s, c) => Empty(c, s.Store.DetachUserPolicyAsync(c.Account, c.Require("UserName"), c.Require("PolicyArn"), c.Cancellation)),
        ["ListAttachedUserPolicies"] = async (s, c) =>
            await WriteAttachedAsync(c, await s.Store.ListAttachedUserPoliciesAsync(c.Account, c.Require("UserName"), c.Cancellation)),
        ["AttachRolePolicy"] = (s, c) => Empty(c, s.Store.AttachRolePolicyAsync(c.Account, c.Require("RoleName"), c.Require("PolicyArn"), c.Cancellation)),
        ["DetachRolePolicy"] = (s, c) => Empty(c, s.Store.DetachRolePolicyAsync(c.Account, c.Require("RoleName"), c.Require("PolicyArn"), c.Cancellation)),
        ["ListAttachedRolePolicies"] = async (s, c) =>
            await WriteAttachedAsync(c, await s.Store.ListAttachedRolePoliciesAsync(c.Account, c.Require("RoleName"), c.Cancellation)),
        ["PutUserPermissionsBoundary"] = (s, c) =>
            Empty(c, s.Store.PutUserPermissionsBoundaryAsync(c.Account, c.Require("UserName"), c.Require("PermissionsBoundary"), c.Cancellation)),
        ["DeleteUserPermissionsBoundary"] = (s, c) => Empty(c, s.Store.DeleteUserPermissionsBoundaryAsync(c.Account, c.Require("UserName"), c.Cancellation)),
        ["PutRolePermissionsBoundary"] = (s, c) =>
            Empty(c, s.Store.PutRolePermissionsBoundaryAsync(c.Account, c.Require("RoleName"), c.Require("PermissionsBoundary"), c.Cancellation)),
        ["DeleteRolePermissionsBoundary"] = (s, c) => Empty(c, s.Store.DeleteRolePermissionsBoundaryAsync(c.Account, c.Require("RoleName"), c.Cancellation)),
        ["CreateGroup"] = (s, c) => s.CreateGroupAsync(c),
        ["GetGroup"] = (s, c) => s.GetGroupAsync(c),
        ["ListGroups"] = (s, c) => s.ListGroupsAsync(c),
        ["DeleteGroup"] = (s, c) => Empty(c, s.Store.DeleteGroupAsync(c.Account, c.Require("GroupName"), c.Cancellation)),
        ["AddUserToGroup"] = (s, c) => Empty(c, s.Store.AddUserToGroupAsync(c.Account, c.Require("GroupName"), c.Require("UserName"), c.Cancellation)),
        ["RemoveUserFromGroup"] = (s, c) => Empty(c, s.Store.RemoveUserFromGroupAsync(c.Account, c.Require("GroupName"), c.Require("UserName"), c.Cancellation)),
        ["ListGroupsForUser"] = (s, c) => s.ListGroupsForUserAsync(c),
        ["PutGroupPolicy"] = (s, c) =>
            Empty(c, s.Store.PutGroupPolicyAsync(c.Account, c.Require("GroupName"), c.Require("PolicyName"), c.Require("PolicyDocument"), c.Cancellation)),
        ["GetGroupPolicy"] = async (s, c) =>
        {
            var name = c.Require("PolicyName");
            var (group, document) = await s.Store.GetGroupPolicyAsync(c.Account, c.Require("GroupName"), name, c.Cancellation);
            await c.WriteAsync(xml =>
            {
                xml.WriteElementString("GroupName", group);
                xml.WriteElementString("PolicyName", name);
                xml.WriteElementString("PolicyDocument", IamXml.EncodePolicy(document));
            });
        },
        ["DeleteGroupPolicy"] = (s, c) => Empty(c, s.Store.DeleteGroupPolicyAsync(c.Account, c.Require("GroupName"), c.Require("PolicyName"), c.Cancellation)),
        ["ListGroupPolicies"] = async (s, c) => await WritePolicyNamesAsync(c, await s.Store.ListGroupPoliciesAsync(c.Account, c.Require("GroupName"), c.Cancellation)),
        ["AttachGroupPolicy"] = (s, c) => Empty(c, s.Store.AttachGroupPolicyAsync(c.Account, c.Require("GroupName"), c.Require("PolicyArn"), c.Cancellation)),
        ["DetachGroupPolicy"] = (s, c) => Empty(c, s.Store.DetachGroupPolicyAsync(c.Account, c.Require("GroupName"), c.Require("PolicyArn"), c.Cancellation)),
        ["ListAttachedGroupPolicies"] = async (s, c) =>
            await WriteAttachedAsync(c, await s.Store.ListAttachedGroupPoliciesAsync(c.Account, c.Require("GroupName"), c.Cancellation)),
        ["TagUser"] = (s, c) => s.TagUserAsync(c),
        ["UntagUser"] = (s, c) => s.UntagUserAsync(c),
        ["ListUserTags"] = (s, c) => s.ListUserTagsAsync(c),
        ["TagRole"] = (s, c) => s.TagRoleAsync(c),
        ["UntagRole"] = (s, c) => s.UntagRoleAsync(c),
        ["ListRoleTags"] = (s, c) => s.ListRoleTagsAsync(c),
        ["GetAccountAuthorizationDetails"] = (s, c) => s.GetAccountAuthorizationDetailsAsync(c),
        ["CreateOpenIDConnectProvider"] = (s, c) => s.CreateOpenIdConnectProviderAsync(c),
        ["GetOpenIDConnectProvider"] = (s, c) => s.GetOpenIdConnectProviderAsync(c),
        ["ListOpenIDConnectProviders"] = (s, c) => s.ListOpenIdConnectProvidersAsync(c),
        ["DeleteOpenIDConnectProvider"] = async (s, c) =>
        {
            await s.Store.DeleteOpenIdConnectProviderAsync(c.Require("OpenIDConnectProviderArn"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["AddClientIDToOpenIDConnectProvider"] = async (s, c) =>
        {
            await s.Store.UpdateOpenIdConnectProviderAsync(c.Require("OpenIDConnectProviderArn"), c.Require("ClientID"), null, null, c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["RemoveClientIDFromOpenIDConnectProvider"] = async (s, c) =>
        {
            await s.Store.UpdateOpenIdConnectProviderAsync(c.Require("OpenIDConnectProviderArn"), null, c.Require("ClientID"), null, c.Cancellation);
            await c.WriteEmptyAsync();
        },
        ["UpdateOpenIDConnectProviderThumbprint"] = async (s, c) =>
        {
            await s.Store.UpdateOpenIdConnectProviderAsync(c.Require("OpenIDConnectProviderArn"), null, null, c.Query.GetList("ThumbprintList"), c.Cancellation);
            await c.WriteEmptyAsync();
        },
    };

    public AuditProfile Audit => IamAuditProfile.Instance;

    public string SigningName => "iam";

    private IdentityStore Store => identity;

    public bool Matches(HttpRequest request, ReadOnlySpan<byte> body) => IsQueryRequest(request, body, Version);

    public Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId) =>
        WriteAuthenticationErrorAsync(context, Namespace, status, code, message, requestId);

    public async Task HandleAsync(AwsRequest request)
    {
        var context = request.Http;
        var query = QueryRequest.Parse(request.Body.Span);
        if (!Operations.TryGetValue(query.Action, out var operation))
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, 400, "InvalidAction", $"Could not find operation `{query.Action}` for version {Version}.", request.RequestId);
            return;
        }

        // Every IAM call is authorized by the policy engine: iam:<Action> on the entity it names (or *).
        var caller = request.Caller.Principal;
        if (SessionTokenRestrictions.Check(caller, SigningName, query.Action) is { } restricted)
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, restricted.Status, restricted.Code, restricted.Message, request.RequestId);
            return;
        }

        var (resource, conditions) = await AccessAsync(query, caller.Account, context.RequestAborted);
        if (await authorizer.AuthorizeAsync(request, "iam:" + query.Action, resource, context.RequestAborted, conditions) is { } denial)
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, 403, "AccessDenied", denial, request.RequestId);
            return;
        }

        try
        {
            await operation(this, new Call(request, query, caller.Account, options.Time.GetUtcNow()));
        }
        catch (IdentityException exception)
        {
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, exception.HttpStatus, exception.WireCode, exception.Message, request.RequestId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Request {RequestId} ({Action}) failed inside the service", request.RequestId, query.Action);
            await AwsQueryProtocol.WriteErrorAsync(context, Namespace, 500, "ServiceFailure",
                "The request failed inside the service; see the server log for request " + request.RequestId + ".", request.RequestId);
        }
    }

    private async Task CreateUserAsync(Call c)
    {
        var user = await Store.CreateUserAsync(c.Account, c.Require("UserName"), c.Query.Get("Path"), c.Tags(), c.Query.Get("PermissionsBoundary"), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created user {Arn}", c.Request.RequestId, user.Arn);
        await c.WriteAsync(xml => IamXml.WriteUser(xml, user));
    }

    private async Task GetUserAsync(Call c)
    {
        var user = await Store.GetUserAsync(c.Account, Required(c, "UserName", "the account root has no IAM user"), c.Cancellation);
        await c.WriteAsync(xml => IamXml.WriteUser(xml, user));
    }

    private async Task ListUsersAsync(Call c)
    {
        var users = await Store.ListUsersAsync(c.Account, c.Query.Get("PathPrefix"), c.Cancellation);
        var (page, next) = Page(c, users);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Users", page, (x, user) => IamXml.WriteUser(x, user, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private async Task CreateAccessKeyAsync(Call c)
    {
        var key = await Store.CreateAccessKeyAsync(c.Account, Required(c, "UserName", "the root's keys are made once, at first start"), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created access key {AccessKeyId} for user {UserName}", c.Request.RequestId, key.Metadata.AccessKeyId, key.Metadata.UserName);
        await c.WriteAsync(xml => IamXml.WriteAccessKey(xml, key.Metadata, key.SecretAccessKey, "AccessKey"));
    }

    private async Task ListAccessKeysAsync(Call c)
    {
        var keys = await Store.ListAccessKeysAsync(c.Account, Required(c, "UserName", "the root's keys are not listed"), c.Cancellation);
        var (page, next) = Page(c, keys);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "AccessKeyMetadata", page, (x, key) => IamXml.WriteAccessKey(x, key, null, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private async Task UpdateAccessKeyAsync(Call c)
    {
        var status = c.Require("Status") switch
        {
            "Active" => AccessKeyStatus.Active,
            "Inactive" => AccessKeyStatus.Inactive,
            var other => throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{other}` at `status` failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        };
        await Store.UpdateAccessKeyAsync(c.Account, Required(c, "UserName", "the root's keys cannot be changed here"), c.Require("AccessKeyId"), status, c.Cancellation);
        await c.WriteEmptyAsync();
    }

    private async Task CreateRoleAsync(Call c)
    {
        var role = await Store.CreateRoleAsync(c.Account, c.Require("RoleName"), c.Query.Get("Path"), c.Require("AssumeRolePolicyDocument"), c.Query.Get("Description"),
            GetInt(c.Query, "MaxSessionDuration"), c.Query.Get("PermissionsBoundary"), c.Tags(), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created role {Arn}", c.Request.RequestId, role.Arn);
        await c.WriteAsync(xml => IamXml.WriteRole(xml, role));
    }

    private async Task ListRolesAsync(Call c)
    {
        var roles = await Store.ListRolesAsync(c.Account, c.Query.Get("PathPrefix"), c.Cancellation);
        var (page, next) = Page(c, roles);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Roles", page, (x, role) => IamXml.WriteRole(x, role, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private static async Task WritePolicyNamesAsync(Call c, IReadOnlyList<string> names)
    {
        var (page, next) = Page(c, names);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "PolicyNames", page, (x, name) => x.WriteElementString("member", name));
            IamXml.WritePaging(xml, next);
        });
    }

    private static string Required(Call c, string name, string why) =>
        c.Query.Get(name) ?? throw new IdentityException(IdentityErrorCode.ValidationError, $"`{name}` is required: {why}.");

    /// <summary>IAM paging: <c>MaxItems</c> 1..1000 (default 100) and an opaque <c>Marker</c> (here, the offset).</summary>
    private static (IReadOnlyList<T> Page, string? NextMarker) Page<T>(Call c, IReadOnlyList<T> items)
    {
        var max = GetInt(c.Query, "MaxItems") ?? 100;
        if (max is < 1 or > 1000)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{max}` at `maxItems` failed to satisfy constraint: Member must be between 1 and 1000.");
        }

        var start = 0;
        if (c.Query.Get("Marker") is { } marker)
        {
            try
            {
                start = int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(marker)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Marker `{marker}` is not a marker this server returned.");
            }
        }

        var page = items.Skip(start).Take(max).ToList();
        var end = start + page.Count;
        return (page, end < items.Count ? Convert.ToBase64String(Encoding.ASCII.GetBytes(end.ToString(CultureInfo.InvariantCulture))) : null);
    }
}
