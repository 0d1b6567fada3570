using Keyhaven.Server.Audit;
using static Keyhaven.Server.Audit.AuditOperation;

namespace Keyhaven.Server.Organizations;

/// <summary>
/// What the audit trail records of each AWS Organizations operation: the ids, names and policy documents given, and the
/// created resource. Never an account's email address or account name (the API model marks both sensitive).
/// </summary>
internal static class OrganizationsAuditProfile
{
    private const string Paging = "MaxResults NextToken";

    public static readonly AuditProfile Instance = new("organizations.amazonaws.com", AuditProtocol.Json, "ServiceException",
    [
        Of("CreateOrganization", "FeatureSet",
            "Organization.Id Organization.Arn Organization.FeatureSet Organization.MasterAccountArn Organization.MasterAccountId Organization.AvailablePolicyTypes"),
        Of("DescribeOrganization"),
        Of("ListRoots", Paging),
        Of("EnablePolicyType", "RootId PolicyType", "Root"),
        Of("CreateAccount", "RoleName IamUserAccessToBilling Tags",
            "CreateAccountStatus.Id CreateAccountStatus.State CreateAccountStatus.RequestedTimestamp CreateAccountStatus.CompletedTimestamp CreateAccountStatus.AccountId CreateAccountStatus.FailureReason"),
        Of("DescribeCreateAccountStatus", "CreateAccountRequestId"),
        Of("ListAccounts", Paging),
        Of("ListAccountsForParent", "ParentId " + Paging),
        Of("DescribeAccount", "AccountId"),
        Of("CreateOrganizationalUnit", "ParentId Name Tags", "OrganizationalUnit"),
        Of("ListOrganizationalUnitsForParent", "ParentId " + Paging),
        Of("DescribeOrganizationalUnit", "OrganizationalUnitId"),
        Of("ListParents", "ChildId " + Paging),
        Of("MoveAccount", "AccountId SourceParentId DestinationParentId"),
        Of("RemoveAccountFromOrganization", "AccountId"),
        Of("CreatePolicy", "Name Description Type Content Tags", "Policy.PolicySummary"),
        Of("UpdatePolicy", "PolicyId Name Description Content", "Policy.PolicySummary"),
        Of("DeletePolicy", "PolicyId"),
        Of("DescribePolicy", "PolicyId"),
        Of("ListPolicies", "Filter " + Paging),
        Of("ListPoliciesForTarget", "TargetId Filter " + Paging),
        Of("ListTargetsForPolicy", "PolicyId " + Paging),
        Of("AttachPolicy", "PolicyId TargetId"),
        Of("DetachPolicy", "PolicyId TargetId"),
    ]);
}
