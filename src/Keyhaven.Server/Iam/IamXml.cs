using System.Xml;
using Keyhaven.Identity.Groups;
using Keyhaven.Identity.Policies;
using Keyhaven.Identity.Roles;
using Keyhaven.Identity.Users;
using Keyhaven.Server.Protocol;

namespace Keyhaven.Server.Iam;

/// <summary>The IAM wire shapes (iam-2010-05-08: User, Role, Group, Policy, PolicyVersion, AccessKey, AccessKeyMetadata) written as Query XML.</summary>
internal static class IamXml
{
    /// <summary>Policy documents in IAM responses are URL-encoded (RFC 3986), as AWS returns them.</summary>
    public static string EncodePolicy(string document) => Uri.EscapeDataString(document);

    public static void WriteUser(XmlWriter xml, IamUser user, string element = "User")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("Path", user.Path);
        xml.WriteElementString("UserName", user.UserName);
        xml.WriteElementString("UserId", user.UserId);
        xml.WriteElementString("Arn", user.Arn);
        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(user.CreateDate));
        WriteBoundary(xml, user.PermissionsBoundaryArn);
        WriteTags(xml, user.Tags);
        xml.WriteEndElement();
    }

    public static void WriteRole(XmlWriter xml, IamRole role, string element = "Role")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("Path", role.Path);
        xml.WriteElementString("RoleName", role.RoleName);
        xml.WriteElementString("RoleId", role.RoleId);
        xml.WriteElementString("Arn", role.Arn);
        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(role.CreateDate));
        xml.WriteElementString("AssumeRolePolicyDocument", EncodePolicy(role.AssumeRolePolicyDocument));
        if (role.Description is not null)
        {
            xml.WriteElementString("Description", role.Description);
        }

        xml.WriteElementString("MaxSessionDuration", role.MaxSessionDuration.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteBoundary(xml, role.PermissionsBoundaryArn);
        WriteTags(xml, role.Tags);
        xml.WriteEndElement();
    }

    public static void WriteGroup(XmlWriter xml, IamGroup group, string element = "Group")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("Path", group.Path);
        xml.WriteElementString("GroupName", group.GroupName);
        xml.WriteElementString("GroupId", group.GroupId);
        xml.WriteElementString("Arn", group.Arn);
        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(group.CreateDate));
        xml.WriteEndElement();
    }

    public static void WritePolicy(XmlWriter xml, ManagedPolicy policy, string element = "Policy")
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("PolicyName", policy.PolicyName);
        xml.WriteElementString("PolicyId", policy.PolicyId);
        xml.WriteElementString("Arn", policy.Arn);
        xml.WriteElementString("Path", policy.Path);
        xml.WriteElementString("DefaultVersionId", policy.DefaultVersionId);
        xml.WriteElementString("AttachmentCount", policy.AttachmentCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        xml.WriteElementString("IsAttachable", "true");
        if (policy.Description is not null)
        {
            xml.WriteElementString("Description", policy.Description);
        }

        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(policy.CreateDate));
        xml.WriteElementString("UpdateDate", AwsQueryProtocol.Timestamp(policy.UpdateDate));
        xml.WriteEndElement();
    }

    /// <summary>A PolicyVersion; the document (URL-encoded, as AWS returns it) only where AWS includes it (GetPolicyVersion).</summary>
    public static void WritePolicyVersion(XmlWriter xml, ManagedPolicyVersion version, bool includeDocument, string element = "PolicyVersion")
    {
        xml.WriteStartElement(element);
        if (includeDocument)
        {
            xml.WriteElementString("Document", EncodePolicy(version.Document));
        }

        xml.WriteElementString("VersionId", version.VersionId);
        xml.WriteElementString("IsDefaultVersion", version.IsDefaultVersion ? "true" : "false");
        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(version.CreateDate));
        xml.WriteEndElement();
    }

    public static void WriteAccessKey(XmlWriter xml, AccessKeyMetadata key, string? secret, string element)
    {
        xml.WriteStartElement(element);
        xml.WriteElementString("UserName", key.UserName);
        xml.WriteElementString("AccessKeyId", key.AccessKeyId);
        xml.WriteElementString("Status", key.Status.ToString());
        if (secret is not null)
        {
            xml.WriteElementString("SecretAccessKey", secret);
        }

        xml.WriteElementString("CreateDate", AwsQueryProtocol.Timestamp(key.CreateDate));
        xml.WriteEndElement();
    }

    /// <summary>Writes <c>&lt;Name&gt;&lt;member&gt;…&lt;/member&gt;…&lt;/Name&gt;</c>.</summary>
    public static void WriteList<T>(XmlWriter xml, string name, IEnumerable<T> items, Action<XmlWriter, T> writeMember)
    {
        xml.WriteStartElement(name);
        foreach (var item in items)
        {
            writeMember(xml, item);
        }

        xml.WriteEndElement();
    }

    /// <summary>Writes <c>IsTruncated</c> and, when truncated, <c>Marker</c>.</summary>
    public static void WritePaging(XmlWriter xml, string? nextMarker)
    {
        xml.WriteElementString("IsTruncated", nextMarker is null ? "false" : "true");
        if (nextMarker is not null)
        {
            xml.WriteElementString("Marker", nextMarker);
        }
    }

    public static void WriteBoundary(XmlWriter xml, string? arn)
    {
        if (arn is null)
        {
            return;
        }

        xml.WriteStartElement("PermissionsBoundary");
        xml.WriteElementString("PermissionsBoundaryType", "Policy");
        xml.WriteElementString("PermissionsBoundaryArn", arn);
        xml.WriteEndElement();
    }

    public static void WriteTags(XmlWriter xml, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }

        WriteList(xml, "Tags", tags, (x, tag) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("Key", tag.Key);
            x.WriteElementString("Value", tag.Value);
            x.WriteEndElement();
        });
    }
}
