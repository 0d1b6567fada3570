using Keyhaven.Identity.Organizations;
using Keyhaven.Identity.Sessions;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Server.Pipeline;
using PolicyAccountId = Keyhaven.Policy.Arns.AccountId;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// Authorizes calls whose resources live only on the identity side (IAM): the caller's identity policies must allow
/// the action on the resource, within its permissions boundary, session policy, its account's SCPs and the policy of
/// the VPC endpoint the call came through; an explicit deny anywhere wins. Fails closed: a policy that cannot be read denies. Thread-safe.
/// </summary>
internal sealed class IdentityCallAuthorizer(IIdentityPolicySource identities, OrganizationStore organizations, PolicyCompilation policies,
    VpcEndpointPolicies endpointPolicies, TimeProvider time)
{
    /// <summary>
    /// Returns null when <paramref name="action"/> on <paramref name="resourceArn"/> is allowed, else AWS's AccessDenied
    /// message. <paramref name="conditions"/> are the call's own condition keys (request and resource tags).
    /// </summary>
    public async ValueTask<string?> AuthorizeAsync(AwsRequest request, string action, string resourceArn, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, ContextValues>? conditions = null)
    {
        var caller = request.Caller;
        if (AuditResourceType(resourceArn) is { } type)
        {
            request.Audit.AddResource(resourceArn, resourceArn.Split(':') is [_, _, _, _, { Length: > 0 } owner, ..] ? owner : caller.Account.Value, type);
        }

        var identity = await identities.GetAsync(caller, cancellationToken);
        var guardrails = await organizations.GetGuardrailsAsync(caller.Account.Value, cancellationToken);
        var authorization = new AuthorizationRequest
        {
            Principal = caller.ToPolicyPrincipal(),
            Action = action,
            Resource = RequestResource.Create(resourceArn, PolicyAccountId.Parse(caller.Account.Value)),
            Context = new KmsRequestContext(request, null, new KmsAccess(action) { Context = conditions }, time.GetUtcNow(), guardrails, null),
        };

        var identityPolicies = new List<CompiledPolicy>();
        foreach (var (name, document) in identity.Policies)
        {
            identityPolicies.Add(policies.Compile(document, name) ?? Unreadable);
        }

        var endpoints = await endpointPolicies.ForAsync(request, cancellationToken);
        PolicySet set;
        try
        {
            set = new PolicySet
            {
                IdentityPolicies = identityPolicies,
                PermissionsBoundaries = identity.PermissionsBoundary is null ? [] : [policies.Compile(identity.PermissionsBoundary, "permissions-boundary") ?? Unreadable],
                SessionPolicy = identity.SessionPolicy is null ? null : policies.Compile(identity.SessionPolicy, "session-policy") ?? Unreadable,
                ServiceControlPolicies = policies.Levels(guardrails?.ServiceControlPolicies),
                ManagementAccount = guardrails?.ManagementAccount ?? default,
                EndpointPolicies = endpoints,
            };
        }
        catch (InvalidDataException exception)
        {
            return exception.Message + " Access is denied.";
        }

        var decision = PolicyEvaluator.Evaluate(authorization, set);
        if (decision.IsAllowed)
        {
            return null;
        }

        request.Audit.RecordDenial(authorization, PolicyEvaluator.Explain(authorization, set));
        return decision.FormatMessage(authorization);
    }

    /// <summary>
    /// Returns null when the VPC endpoint the request came through (if any) allows <paramref name="action"/> on
    /// <paramref name="resourceArn"/>, else AWS's AccessDenied message. Only that layer is evaluated, for calls whose
    /// identity side is decided elsewhere (GetSessionToken needs no permission; Organizations admits only the management
    /// account's root). The denial is recorded in the request's audit event.
    /// </summary>
    public async ValueTask<string?> AuthorizeEndpointAsync(AwsRequest request, string action, string resourceArn, CancellationToken cancellationToken)
    {
        var endpoints = await endpointPolicies.ForAsync(request, cancellationToken);
        if (endpoints.Count == 0)
        {
            return null;
        }

        var caller = request.Caller;
        var guardrails = await organizations.GetGuardrailsAsync(caller.Account.Value, cancellationToken);
        var authorization = new AuthorizationRequest
        {
            Principal = caller.ToPolicyPrincipal(),
            Action = action,
            Resource = RequestResource.Create(resourceArn, PolicyAccountId.Parse(caller.Account.Value)),
            Context = new KmsRequestContext(request, null, new KmsAccess(action), time.GetUtcNow(), guardrails, null),
        };
        var set = new PolicySet { EndpointPolicies = endpoints };
        var decision = PolicyEvaluator.Evaluate(authorization, set);
        if (decision.IsAllowed || decision.Layer != DecisionLayer.VpcEndpointPolicy)
        {
            return null; // the endpoint allows; what the identity side says is decided by the caller of this method
        }

        request.Audit.RecordDenial(authorization, PolicyEvaluator.Explain(authorization, set));
        return decision.FormatMessage(authorization);
    }

    /// <summary>
    /// What the trust evaluation of an AssumeRole of <paramref name="roleArn"/> needs from the request: its condition
    /// keys (network path, transport, the caller's workload and organization keys), the policy of the VPC endpoint it
    /// came through, the SCPs of the caller's account and the RCPs of the role's account.
    /// </summary>
    /// <exception cref="Keyhaven.Identity.Errors.IdentityException"><c>AccessDenied</c>: a guardrail cannot be evaluated (fail closed).</exception>
    public async ValueTask<AssumeRoleRequestContext> AssumeRoleContextAsync(AwsRequest request, string roleArn, CancellationToken cancellationToken)
    {
        var guardrails = await organizations.GetGuardrailsAsync(request.Caller.Account.Value, cancellationToken);
        // spec: organizations/latest/userguide/orgs_manage_policies_rcps.html (RCPs apply to AWS STS: role assumption)
        var roleGuardrails = Keyhaven.Policy.Arns.Arn.TryParse(roleArn, out var arn) && PolicyAccountId.TryParse(arn.Account, out var roleAccount)
            ? await organizations.GetGuardrailsAsync(roleAccount.Value, cancellationToken) : null;
        try
        {
            return new AssumeRoleRequestContext
            {
                Keys = new KmsRequestContext(request, null, new KmsAccess("sts:AssumeRole"), time.GetUtcNow(), guardrails, null),
                EndpointPolicies = await endpointPolicies.ForAsync(request, cancellationToken),
                ServiceControlPolicies = policies.Levels(guardrails?.ServiceControlPolicies),
                ResourceControlPolicies = policies.Levels(roleGuardrails?.ResourceControlPolicies),
                ManagementAccount = guardrails?.ManagementAccount ?? roleGuardrails?.ManagementAccount ?? default,
            };
        }
        catch (InvalidDataException exception)
        {
            throw new Keyhaven.Identity.Errors.IdentityException(Keyhaven.Identity.Errors.IdentityErrorCode.AccessDenied, exception.Message + " Access is denied.");
        }
    }

    /// <summary>The CloudTrail resource type of an IAM or VPC endpoint ARN; null for <c>*</c> and anything else.</summary>
    private static string? AuditResourceType(string arn) =>
        arn.Contains(":user/", StringComparison.Ordinal) ? "AWS::IAM::User"
        : arn.Contains(":role/", StringComparison.Ordinal) ? "AWS::IAM::Role"
        : arn.Contains(":group/", StringComparison.Ordinal) ? "AWS::IAM::Group"
        : arn.Contains(":policy/", StringComparison.Ordinal) ? "AWS::IAM::Policy"
        : arn.Contains(":vpc-endpoint/", StringComparison.Ordinal) ? Keyhaven.Server.Network.VpcEndpointArn.ResourceType
        : null;

    // Fail closed: an unreadable identity-side policy is replaced by one that denies everything.
    private CompiledPolicy Unreadable =>
        policies.Compile("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""", "unreadable-policy")!;
}
