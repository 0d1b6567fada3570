using System.Globalization;
using System.Xml;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Policies;
using Keyhaven.Server.Protocol;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    private static readonly string[] DetailFilters = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];

    /// <summary>
    /// GetAccountAuthorizationDetails: every user, group, role and customer managed policy of the caller's account with
    /// their inline policies, attachments, boundaries, tags and (for policies) every version's document, filtered by
    /// <c>Filter</c> and paged over all entries together. Keyhaven serves no AWS managed policies, so that filter adds nothing.
    /// </summary>
    private async Task GetAccountAuthorizationDetailsAsync(Call c)
    {
        var filter = c.Query.GetList("Filter");
        if (filter.FirstOrDefault(f => !DetailFilters.Contains(f)) is { } unknown)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{unknown}` at `filter` failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", DetailFilters)}]");
        }

        bool Wants(string kind) => filter.Count == 0 || filter.Contains(kind);
        var entries = new List<(string List, Action<XmlWriter> Write)>();
        if (Wants("User"))
        {
            foreach (var user in await Store.ListUsersAsync(c.Account, null, c.Cancellation))
            {
                var inline = await InlineAsync(await Store.ListUserPoliciesAsync(c.Account, user.UserName, c.Cancellation),
                    name => Store.GetUserPolicyAsync(c.Account, user.UserName, name, c.Cancellation));
                var groups = await Store.ListGroupsForUserAsync(c.Account, user.UserName, c.Cancellation);
                var attached = await Store.ListAttachedUserPoliciesAsync(c.Account, user.UserName, c.Cancellation);
                entries.Add(("UserDetailList", xml =>
                {
                    xml.WriteStartElement("member");
                    WriteIdentity(xml, user.Path, "UserName", user.UserName, "UserId", user.UserId, user.Arn, user.CreateDate);
                    WriteInline(xml, "UserPolicyList", inline);
                    IamXml.WriteList(xml, "GroupList", groups, (x, g) => x.WriteElementString("member", g.GroupName));
                    WriteAttached(xml, attached);
                    IamXml.WriteBoundary(xml, user.PermissionsBoundaryArn);
                    IamXml.WriteTags(xml, user.Tags);
                    xml.WriteEndElement();
                }));
            }
        }

        if (Wants("Group"))
        {
            foreach (var group in await Store.ListGroupsAsync(c.Account, null, c.Cancellation))
            {
                var inline = await InlineAsync(await Store.ListGroupPoliciesAsync(c.Account, group.GroupName, c.Cancellation),
                    async name => (await Store.GetGroupPolicyAsync(c.Account, group.GroupName, name, c.Cancellation)).Document);
                var attached = await Store.ListAttachedGroupPoliciesAsync(c.Account, group.GroupName, c.Cancellation);
                entries.Add(("GroupDetailList", xml =>
                {
                    xml.WriteStartElement("member");
                    WriteIdentity(xml, group.Path, "GroupName", group.GroupName, "GroupId", group.GroupId, group.Arn, group.CreateDate);
                    WriteInline(xml, "GroupPolicyList", inline);
                    WriteAttached(xml, attached);
                    xml.WriteEndElement();
                }));
            }
        }

        if (Wants("Role"))
        {
            foreach (var role in await Store.ListRolesAsync(c.Account, null, c.Cancellation))
            {
                var inline = await InlineAsync(await Store.ListRolePoliciesAsync(c.Account, role.RoleName, c.Cancellation),
                    name => Store.GetRolePolicyAsync(c.Account, role.RoleName, name, c.Cancellation));
                var attached = await Store.ListAttachedRolePoliciesAsync(c.Account, role.RoleName, c.Cancellation);
                entries.Add(("RoleDetailList", xml =>
                {
                    xml.WriteStartElement("member");
                    WriteIdentity(xml, role.Path, "RoleName", role.RoleName, "RoleId", role.RoleId, role.Arn, role.CreateDate);
                    xml.WriteElementString("AssumeRolePolicyDocument", IamXml.EncodePolicy(role.AssumeRolePolicyDocument));
                    IamXml.WriteList<string>(xml, "InstanceProfileList", [], (_, _) => { });
                    WriteInline(xml, "RolePolicyList", inline);
                    WriteAttached(xml, attached);
                    IamXml.WriteBoundary(xml, role.PermissionsBoundaryArn);
                    IamXml.WriteTags(xml, role.Tags);
                    xml.WriteEndElement();
                }));
            }
        }

        if (Wants("LocalManagedPolicy"))
        {
            foreach (var policy in await Store.ListPoliciesAsync(c.Account, null, onlyAttached: false, c.Cancellation))
            {
                var versions = new List<ManagedPolicyVersion>();
                foreach (var version in await Store.ListPolicyVersionsAsync(c.Account, policy.Arn, c.Cancellation))
                {
                    versions.Add(await Store.GetPolicyVersionAsync(c.Account, policy.Arn, version.VersionId, c.Cancellation));
                }

                entries.Add(("Policies", xml =>
                {
                    xml.WriteStartElement("member");
                    xml.WriteElementString("PolicyName", policy.PolicyName);
                    xml.WriteElementString("PolicyId", policy.PolicyId);
                    xml.WriteElementString("Arn", policy.Arn);
                    xml.WriteElementString("Path", policy.Path);
                    xml.WriteElementString("DefaultVersionId", policy.DefaultVersionId);
                    xml.WriteElementString("AttachmentCount", policy.AttachmentCount.ToString(CultureInfo.InvariantCulture));
                    xml.WriteElementString("IsAttachable", "true");
                    if (policy.Description is not null)
                    {
                        xml.WriteElementString("Description", policy.Description);
                    }

                    xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(policy.CreateDate));
                    xml.WriteElementString("UpdateDate", AwsQueryProtocol.Timestamp(policy.UpdateDate));
                    IamXml.WriteList(xml, "PolicyVersionList", versions, (x, v) => IamXml.WritePolicyVersion(x, v, includeDocument: true, "member"));
                    xml.WriteEndElement();
                }));
            }
        }

        var (page, next) = Page(c, entries);
        await c.WriteAsync(xml =>
        {
            foreach (var list in new[] { "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies" })
            {
                IamXml.WriteList(xml, list, page.Where(e => e.List == list), (x, e) => e.Write(x));
            }

            IamXml.WritePaging(xml, next);
        });
    }

    private static async Task<List<KeyValuePair<string, string>>> InlineAsync(IReadOnlyList<string> names, Func<string, Task<string>> get)
    {
        var policies = new List<KeyValuePair<string, string>>();
        foreach (var name in names)
        {
            policies.Add(KeyValuePair.Create(name, await get(name)));
        }

        return policies;
    }

    private static void WriteIdentity(XmlWriter xml, string path, string nameElement, string name, string idElement, string id, string arn, DateTimeOffset created)
    {
        xml.WriteElementString("Path", path);
        xml.WriteElementString(nameElement, name);
        xml.WriteElementString(idElement, id);
        xml.WriteElementString("Arn", arn);
        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(created));
    }

    private static void WriteInline(XmlWriter xml, string list, IEnumerable<KeyValuePair<string, string>> policies) =>
        IamXml.WriteList(xml, list, policies, (x, p) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("PolicyName", p.Key);
            x.WriteElementString("PolicyDocument", IamXml.EncodePolicy(p.Value));
            x.WriteEndElement();
        });

    private static void WriteAttached(XmlWriter xml, IEnumerable<AttachedPolicy> attached) =>
        IamXml.WriteList(xml, "AttachedManagedPolicies", attached, (x, p) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("PolicyName", p.PolicyName);
            x.WriteElementString("PolicyArn", p.PolicyArn);
            x.WriteEndElement();
        });
}
