using Keyhaven.Identity.Principals;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Identity.Organizations;

public sealed partial class OrganizationStore
{
    /// <summary>CreatePolicy: an SCP or RCP whose content the policy engine validates (as <see cref="PolicyType.ServiceControl"/> or <see cref="PolicyType.ResourceControl"/>).</summary>
    /// <exception cref="OrganizationException"><c>MalformedPolicyDocumentException</c>, <c>ConstraintViolationException</c> (over 5,120 characters without whitespace), <c>DuplicatePolicyException</c>, <c>InvalidInputException</c>.</exception>
    public Task<OrganizationPolicy> CreatePolicyAsync(IdentityPrincipal caller, string? name, string? description, string? type, string? content, CancellationToken cancellationToken)
    {
        var policyType = ParsePolicyType(type);
        ValidateName(name);
        ValidateDescription(description ?? throw Invalid("A description is required (it may be empty).", "INPUT_REQUIRED"));
        ValidateContent(content, policyType);
        return WriteAsync(caller, d =>
        {
            RequireUniqueName(d, name!, policyType, null);
            var policy = new PolicyDocument { Id = "p-" + RandomString(Lowercase, 8), Name = name!, Description = description, Type = policyType, Content = content! };
            d.Policies.Add(policy);
            return ToPolicy(d, policy);
        }, cancellationToken);
    }

    /// <summary>UpdatePolicy: changes the name, description and/or content of a customer policy.</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>, <c>AccessDeniedException</c> (AWS managed), <c>MalformedPolicyDocumentException</c>, <c>ConstraintViolationException</c>, <c>DuplicatePolicyException</c>.</exception>
    public Task<OrganizationPolicy> UpdatePolicyAsync(IdentityPrincipal caller, string? policyId, string? name, string? description, string? content, CancellationToken cancellationToken)
    {
        if (name is not null)
        {
            ValidateName(name);
        }

        if (description is not null)
        {
            ValidateDescription(description);
        }

        return WriteAsync(caller, d =>
        {
            var policy = FindCustomerPolicy(d, policyId);
            if (content is not null)
            {
                ValidateContent(content, policy.Type);
                policy.Content = content;
            }

            if (name is not null)
            {
                RequireUniqueName(d, name, policy.Type, policy.Id);
                policy.Name = name;
            }

            policy.Description = description ?? policy.Description;
            return ToPolicy(d, policy);
        }, cancellationToken);
    }

    /// <summary>DeletePolicy: a customer policy attached nowhere.</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>, <c>AccessDeniedException</c> (AWS managed), <c>PolicyInUseException</c>.</exception>
    public Task DeletePolicyAsync(IdentityPrincipal caller, string? policyId, CancellationToken cancellationToken) =>
        WriteAsync(caller, d =>
        {
            var policy = FindCustomerPolicy(d, policyId);
            if (d.Attachments.Values.Any(ids => ids.Contains(policy.Id)))
            {
                throw new OrganizationException(OrganizationErrorCode.PolicyInUseException, $"Policy `{policyId}` is attached; detach it from every target first.");
            }

            d.Policies.Remove(policy);
            return true;
        }, cancellationToken);

    /// <summary>DescribePolicy, AWS managed policies included.</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>.</exception>
    public async Task<OrganizationPolicy> DescribePolicyAsync(IdentityPrincipal caller, string? policyId, CancellationToken cancellationToken) =>
        FindPolicy(await ReadForAsync(caller, cancellationToken), policyId);

    /// <summary>ListPolicies of one type: the AWS managed one first, then customer policies in creation order.</summary>
    /// <exception cref="OrganizationException"><c>InvalidInputException</c> (an unsupported type).</exception>
    public async Task<IReadOnlyList<OrganizationPolicy>> ListPoliciesAsync(IdentityPrincipal caller, string? filter, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        var type = ParsePolicyType(filter);
        return AllPolicies(document).Where(p => p.Type == type).ToList();
    }

    /// <summary>ListPoliciesForTarget: the policies of one type attached directly to the root, an OU or an account.</summary>
    /// <exception cref="OrganizationException"><c>TargetNotFoundException</c>, <c>InvalidInputException</c>.</exception>
    public async Task<IReadOnlyList<OrganizationPolicy>> ListPoliciesForTargetAsync(IdentityPrincipal caller, string? targetId, string? filter, CancellationToken cancellationToken)
    {
        var document = await ReadForAsync(caller, cancellationToken);
        var type = ParsePolicyType(filter);
        RequireTarget(document, targetId);
        return AttachedPolicies(document, targetId!).Where(p => p.Type == type).ToList();
    }

    /// <summary>ListTargetsForPolicy.</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>.</exception>
    public async Task<IReadOnlyList<PolicyTarget>> ListTargetsForPolicyAsync(IdentityPrincipal caller, string? policyId, CancellationToken cancellationToken)
    {
        var d = await ReadForAsync(caller, cancellationToken);
        var policy = FindPolicy(d, policyId);
        return d.Attachments.Where(a => a.Value.Contains(policy.Id)).Select(a => ToTarget(d, a.Key)).OrderBy(t => t.TargetId, StringComparer.Ordinal).ToList();
    }

    /// <summary>AttachPolicy to the root, an OU or an account (at most 5 policies of a type per target).</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>, <c>TargetNotFoundException</c>, <c>DuplicatePolicyAttachmentException</c>, <c>ConstraintViolationException</c>.</exception>
    public Task AttachPolicyAsync(IdentityPrincipal caller, string? policyId, string? targetId, CancellationToken cancellationToken) =>
        WriteAsync(caller, d =>
        {
            var policy = FindPolicy(d, policyId);
            RequireTarget(d, targetId);
            var attached = Attached(d, targetId!);
            if (attached.Contains(policy.Id))
            {
                throw new OrganizationException(OrganizationErrorCode.DuplicatePolicyAttachmentException, $"Policy `{policyId}` is already attached to `{targetId}`.");
            }

            if (AttachedPolicies(d, targetId!).Count(p => p.Type == policy.Type) >= MaxPoliciesPerTarget)
            {
                throw new OrganizationException(OrganizationErrorCode.ConstraintViolationException,
                    $"At most {MaxPoliciesPerTarget} policies of a type can be attached to `{targetId}`.", "POLICY_NUMBER_LIMIT_EXCEEDED");
            }

            attached.Add(policy.Id);
            return true;
        }, cancellationToken);

    /// <summary>DetachPolicy. The last policy of a type on a target cannot be detached (a target without one would deny everything), nor can RCPFullAWSAccess, as in AWS.</summary>
    /// <exception cref="OrganizationException"><c>PolicyNotFoundException</c>, <c>TargetNotFoundException</c>, <c>PolicyNotAttachedException</c>, <c>ConstraintViolationException</c>.</exception>
    public Task DetachPolicyAsync(IdentityPrincipal caller, string? policyId, string? targetId, CancellationToken cancellationToken) =>
        WriteAsync(caller, d =>
        {
            var policy = FindPolicy(d, policyId);
            RequireTarget(d, targetId);
            var attached = Attached(d, targetId!);
            if (!attached.Contains(policy.Id))
            {
                throw new OrganizationException(OrganizationErrorCode.PolicyNotAttachedException, $"Policy `{policyId}` is not attached to `{targetId}`.");
            }

            if (policy.Id == RcpFullAwsAccessId)
            {
                throw new OrganizationException(OrganizationErrorCode.ConstraintViolationException, "RCPFullAWSAccess cannot be detached.", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
            }

            if (AttachedPolicies(d, targetId!).Count(p => p.Type == policy.Type) <= 1)
            {
                throw new OrganizationException(OrganizationErrorCode.ConstraintViolationException,
                    $"`{targetId}` must keep at least one policy of this type attached.", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
            }

            attached.Remove(policy.Id);
            return true;
        }, cancellationToken);

    private static void AttachDefaults(OrganizationDocument d, string targetId) => d.Attachments[targetId] = [FullAwsAccessId, RcpFullAwsAccessId];

    private static List<string> Attached(OrganizationDocument d, string targetId)
    {
        if (!d.Attachments.TryGetValue(targetId, out var ids))
        {
            d.Attachments[targetId] = ids = [];
        }

        return ids;
    }

    private static IEnumerable<OrganizationPolicy> AllPolicies(OrganizationDocument d) =>
        new[] { FullAwsAccess, RcpFullAwsAccess }.Concat(d.Policies.Select(p => ToPolicy(d, p)));

    private static List<OrganizationPolicy> AttachedPolicies(OrganizationDocument d, string targetId) =>
        d.Attachments.TryGetValue(targetId, out var ids) ? ids.Select(id => FindPolicy(d, id)).ToList() : [];

    private static OrganizationPolicy FindPolicy(OrganizationDocument d, string? policyId) => policyId switch
    {
        FullAwsAccessId => FullAwsAccess,
        RcpFullAwsAccessId => RcpFullAwsAccess,
        _ => d.Policies.Find(p => p.Id == policyId) is { } found ? ToPolicy(d, found)
            : throw new OrganizationException(OrganizationErrorCode.PolicyNotFoundException, $"Policy `{policyId}` was not found."),
    };

    private static PolicyDocument FindCustomerPolicy(OrganizationDocument d, string? policyId)
    {
        if (policyId is FullAwsAccessId or RcpFullAwsAccessId)
        {
            throw new OrganizationException(OrganizationErrorCode.AccessDeniedException, $"AWS managed policy `{policyId}` cannot be changed or deleted.");
        }

        return d.Policies.Find(p => p.Id == policyId)
            ?? throw new OrganizationException(OrganizationErrorCode.PolicyNotFoundException, $"Policy `{policyId}` was not found.");
    }

    private static void RequireTarget(OrganizationDocument d, string? targetId)
    {
        if (targetId != d.RootId && !d.Units.Exists(u => u.Id == targetId) && !d.Accounts.Exists(a => a.Id == targetId))
        {
            throw new OrganizationException(OrganizationErrorCode.TargetNotFoundException, $"Target `{targetId}` was not found.");
        }
    }

    private static void RequireUniqueName(OrganizationDocument d, string name, OrganizationPolicyType type, string? except)
    {
        if (AllPolicies(d).Any(p => p.Type == type && p.Id != except && p.Name == name))
        {
            throw new OrganizationException(OrganizationErrorCode.DuplicatePolicyException, $"A policy named `{name}` already exists.");
        }
    }

    private static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128)
        {
            throw Invalid($"The policy name `{name}` must be 1 to 128 characters.", "INPUT_REQUIRED");
        }
    }

    private static void ValidateDescription(string description)
    {
        if (description.Length > 512)
        {
            throw Invalid("The policy description must be at most 512 characters.", "MAX_LENGTH_EXCEEDED");
        }
    }

    private static void ValidateContent(string? content, OrganizationPolicyType type)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw new OrganizationException(OrganizationErrorCode.MalformedPolicyDocumentException, "The policy content is empty.");
        }

        var policyType = type == OrganizationPolicyType.ServiceControlPolicy ? PolicyType.ServiceControl : PolicyType.ResourceControl;
        foreach (var finding in PolicyValidator.Validate(content, policyType))
        {
            if (finding.Type != FindingType.Error)
            {
                continue;
            }

            if (finding.IssueCode is "POLICY_SIZE_EXCEEDED" or "DOCUMENT_TOO_LONG")
            {
                throw new OrganizationException(OrganizationErrorCode.ConstraintViolationException,
                    $"The policy content is over the quota for its type: {finding.Message}", "POLICY_CONTENT_LIMIT_EXCEEDED");
            }

            throw new OrganizationException(OrganizationErrorCode.MalformedPolicyDocumentException, $"The policy content is not valid: {finding.Message} (at `{finding.Path}`).");
        }
    }

    /// <summary>Reads a wire policy type; only SCPs and RCPs are supported.</summary>
    private static OrganizationPolicyType ParsePolicyType(string? type) => type switch
    {
        "SERVICE_CONTROL_POLICY" => OrganizationPolicyType.ServiceControlPolicy,
        "RESOURCE_CONTROL_POLICY" => OrganizationPolicyType.ResourceControlPolicy,
        _ => throw Invalid($"Policy type `{type}` is not supported: use SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY.", "INVALID_ENUM_POLICY_TYPE"),
    };

    private static OrganizationPolicy ToPolicy(OrganizationDocument d, PolicyDocument p) =>
        new(p.Id, $"arn:aws:organizations::{d.ManagementAccount}:policy/{d.Id}/{(p.Type == OrganizationPolicyType.ServiceControlPolicy ? "service_control_policy" : "resource_control_policy")}/{p.Id}",
            p.Name, p.Description, p.Type, false, p.Content);

    private static PolicyTarget ToTarget(OrganizationDocument d, string targetId) =>
        targetId == d.RootId ? new PolicyTarget(targetId, Arn(d, "root", targetId), "Root", "ROOT")
        : d.Units.Find(u => u.Id == targetId) is { } unit ? new PolicyTarget(targetId, Arn(d, "ou", targetId), unit.Name, "ORGANIZATIONAL_UNIT")
        : new PolicyTarget(targetId, Arn(d, "account", targetId), d.Accounts.Find(a => a.Id == targetId)!.Name, "ACCOUNT");
}
