using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Iam;

/// <summary>
/// What the audit trail records of each IAM operation: the names, paths, documents and tags the request gives, and
/// the created resource; CreateAccessKey's response only by id and status, never the secret access key.
/// </summary>
internal static class IamAuditProfile
{
    private const string Paging = "Marker MaxItems";

    public static readonly AuditProfile Instance = new("iam.amazonaws.com", AuditProtocol.Query, "ServiceFailure",
    [
        Of("CreateUser", "UserName Path PermissionsBoundary Tags", "User"),
        Of("GetUser", "UserName"),
        Of("ListUsers", "PathPrefix " + Paging),
        Of("DeleteUser", "UserName"),
        Of("CreateAccessKey", "UserName", "AccessKey.AccessKeyId AccessKey.UserName AccessKey.Status AccessKey.CreateDate"),
        Of("ListAccessKeys", "UserName " + Paging),
        Of("UpdateAccessKey", "UserName AccessKeyId Status"),
        Of("DeleteAccessKey", "UserName AccessKeyId"),
        Of("CreateRole", "RoleName Path AssumeRolePolicyDocument Description MaxSessionDuration PermissionsBoundary Tags", "Role"),
        Of("GetRole", "RoleName"),
        Of("ListRoles", "PathPrefix " + Paging),
        Of("DeleteRole", "RoleName"),
        Of("UpdateAssumeRolePolicy", "RoleName PolicyDocument"),
        Of("PutUserPolicy", "UserName PolicyName PolicyDocument"),
        Of("GetUserPolicy", "UserName PolicyName"),
        Of("DeleteUserPolicy", "UserName PolicyName"),
        Of("ListUserPolicies", "UserName " + Paging),
        Of("PutRolePolicy", "RoleName PolicyName PolicyDocument"),
        Of("GetRolePolicy", "RoleName PolicyName"),
        Of("DeleteRolePolicy", "RoleName PolicyName"),
        Of("ListRolePolicies", "RoleName " + Paging),
        Of("CreatePolicy", "PolicyName Path PolicyDocument Description Tags", "Policy"),
        Of("GetPolicy", "PolicyArn"),
        Of("ListPolicies", "Scope OnlyAttached PathPrefix PolicyUsageFilter " + Paging),
        Of("DeletePolicy", "PolicyArn"),
        Of("CreatePolicyVersion", "PolicyArn PolicyDocument SetAsDefault", "PolicyVersion.VersionId PolicyVersion.IsDefaultVersion PolicyVersion.CreateDate"),
        Of("GetPolicyVersion", "PolicyArn VersionId"),
        Of("ListPolicyVersions", "PolicyArn " + Paging),
        Of("SetDefaultPolicyVersion", "PolicyArn VersionId"),
        Of("DeletePolicyVersion", "PolicyArn VersionId"),
        Of("AttachUserPolicy", "UserName PolicyArn"),
        Of("DetachUserPolicy", "UserName PolicyArn"),
        Of("ListAttachedUserPolicies", "UserName PathPrefix " + Paging),
        Of("AttachRolePolicy", "RoleName PolicyArn"),
        Of("DetachRolePolicy", "RoleName PolicyArn"),
        Of("ListAttachedRolePolicies", "RoleName PathPrefix " + Paging),
        Of("PutUserPermissionsBoundary", "UserName PermissionsBoundary"),
        Of("DeleteUserPermissionsBoundary", "UserName"),
        Of("PutRolePermissionsBoundary", "RoleName PermissionsBoundary"),
        Of("DeleteRolePermissionsBoundary", "RoleName"),
        Of("CreateGroup", "GroupName Path", "Group"),
        Of("GetGroup", "GroupName " + Paging),
        Of("ListGroups", "PathPrefix " + Paging),
        Of("DeleteGroup", "GroupName"),
        Of("AddUserToGroup", "GroupName UserName"),
        Of("RemoveUserFromGroup", "GroupName UserName"),
        Of("ListGroupsForUser", "UserName " + Paging),
        Of("PutGroupPolicy", "GroupName PolicyName PolicyDocument"),
        Of("GetGroupPolicy", "GroupName PolicyName"),
        Of("DeleteGroupPolicy", "GroupName PolicyName"),
        Of("ListGroupPolicies", "GroupName " + Paging),
        Of("AttachGroupPolicy", "GroupName PolicyArn"),
        Of("DetachGroupPolicy", "GroupName PolicyArn"),
        Of("ListAttachedGroupPolicies", "GroupName PathPrefix " + Paging),
    ]);
}
