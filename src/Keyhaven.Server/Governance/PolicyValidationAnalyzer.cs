using Keyhaven.Identity.Inventory;
using Keyhaven.Identity.Organizations;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Server.Governance;

/// <summary>The policy engine's validator (<see cref="PolicyValidator"/>) over every stored policy: key policies, identity policies, trust policies, SCPs and RCPs.</summary>
internal static class PolicyValidationAnalyzer
{
    public static IEnumerable<Finding> Analyze(GovernanceInventory inventory, Func<string, bool> inScope)
    {
        foreach (var key in inventory.Keys.Where(k => inScope(k.Account.Value)))
        {
            foreach (var finding in Validate(key.Arn, "key-policy", key.Policy, PolicyType.Resource))
            {
                yield return finding;
            }
        }

        foreach (var policy in inventory.Identity.Policies.Where(p => inScope(p.Account)))
        {
            var type = policy.Kind == StoredPolicyKind.Trust ? PolicyType.Trust : PolicyType.Identity;
            var name = policy.Kind == StoredPolicyKind.Managed ? policy.Name : $"{policy.Kind}:{policy.Name}";
            foreach (var finding in Validate(policy.Owner, name, policy.Document, type))
            {
                yield return finding;
            }
        }

        if (inventory.Organization is { } organization && inScope(organization.ManagementAccount))
        {
            foreach (var policy in organization.Policies.Where(p => !p.AwsManaged))
            {
                var type = policy.Type == OrganizationPolicyType.ServiceControlPolicy ? PolicyType.ServiceControl : PolicyType.ResourceControl;
                foreach (var finding in Validate(policy.Arn, policy.Name, policy.Content, type))
                {
                    yield return finding;
                }
            }
        }
    }

    private static IEnumerable<Finding> Validate(string resource, string policyName, string document, PolicyType type) =>
        PolicyValidator.Validate(document, type).Select(f => Finding.Create(FindingRules.PolicyValidation, Severity(f.Type), resource, null, $"{policyName} {f.Path}",
            $"{f.TypeName} {f.IssueCode}: {f.Message}",
            f.Type == FindingType.Error ? "Fix the policy: this part does not work as written." : "Review the policy element named in the statement.",
            issue: f.IssueCode));

    private static FindingSeverity Severity(FindingType type) => type switch
    {
        FindingType.Error => FindingSeverity.High,
        FindingType.SecurityWarning => FindingSeverity.Medium,
        FindingType.Warning => FindingSeverity.Low,
        _ => FindingSeverity.Informational,
    };
}
