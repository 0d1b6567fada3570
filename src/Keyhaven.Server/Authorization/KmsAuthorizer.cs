using System.Runtime.CompilerServices;
using Keyhaven.Kms;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Policies;
using Keyhaven.Identity.Organizations;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Kms;
using Keyhaven.Server.Pipeline;
using PolicyAccountId = Keyhaven.Policy.Arns.AccountId;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// Authorizes KMS requests with the policy engine, as AWS KMS does: the key policy must allow (directly, or by
/// allowing the account so that the caller's IAM policies count), within the caller's boundary and session policy;
/// an explicit deny anywhere wins; a request through a VPC endpoint needs the endpoint policy's allow too. Fails closed: a key policy or identity policy that does not compile denies.
/// Thread-safe.
/// </summary>
internal sealed class KmsAuthorizer(KmsDomain kms, IIdentityPolicySource identities, OrganizationStore organizations, PolicyCompilation policies,
    VpcEndpointPolicies endpointPolicies, TimeProvider time)
{
    private readonly ConditionalWeakTable<CallerIdentity, PrincipalIdentity> _principals = new();
    private readonly ConditionalWeakTable<KmsKey, RequestResource> _resources = new();
    private readonly ConditionalWeakTable<KmsKey, CompiledPolicy> _keyPolicies = new();
    private static readonly KeyId NewKeyPlaceholder = KeyId.New(Guid.Empty);

    /// <summary>Checks every access a request needs.</summary>
    /// <exception cref="KmsException">AccessDeniedException when one is denied; NotFoundException or InvalidCiphertextException when a key does not resolve.</exception>
    public async ValueTask AuthorizeAsync(AwsRequest request, KmsCaller caller, IReadOnlyList<KmsAccess> accesses, CancellationToken cancellationToken)
    {
        var callerPolicies = await LoadCallerAsync(request.Caller, cancellationToken);
        var endpoints = await endpointPolicies.ForAsync(request, cancellationToken);
        KmsKey?[]? resolved = null;
        if (accesses is [{ Action: "kms:ReEncryptFrom" } from, { Action: "kms:ReEncryptTo" } to])
        {
            // kms:ReEncryptOnSameKey compares the two keys, so both are resolved before either access is decided.
            var source = await ResolveAsync(CallerFor(caller, from), from, cancellationToken);
            var destination = await ResolveAsync(CallerFor(caller, to), to, cancellationToken);
            var sameKey = ReEncryptOnSameKey(source, destination);
            accesses = [from.WithConditionKeys(sameKey), to.WithConditionKeys(sameKey)];
            resolved = [source, destination];
        }

        for (var i = 0; i < accesses.Count; i++)
        {
            var access = accesses[i];
            var accessCaller = CallerFor(caller, access);
            var key = resolved is not null ? resolved[i] : await ResolveAsync(accessCaller, access, cancellationToken);
            if (key is not null)
            {
                request.Audit.AddResource(key.Arn, key.Account.Value, "AWS::KMS::Key");
            }

            var (authorization, set) = await PrepareAsync(callerPolicies, accessCaller, request, key, access, endpoints, cancellationToken);
            var decision = PolicyEvaluator.Evaluate(authorization, set);
            if (!decision.IsAllowed)
            {
                request.Audit.RecordDenial(authorization, PolicyEvaluator.Explain(authorization, set));
                throw new KmsException(KmsErrorCode.AccessDeniedException, decision.FormatMessage(authorization));
            }

            if (access.Recipient is { } recipient)
            {
                request.Audit.RecordRecipient(recipient.Document, recipient.IsDevelopment);
            }

            if (access.NewKeyPolicy is { } newPolicy)
            {
                // A key being created has no ARN yet: check against the ARN shape it will have.
                var keyArn = key?.Arn ?? KeyArn.ForKey(accessCaller.Region, caller.Account, NewKeyPlaceholder);
                await CheckNewKeyPolicyAsync(request, keyArn, key?.Account ?? caller.Account, newPolicy, access.BypassLockoutCheck, cancellationToken);
            }
        }
    }

    private static KmsCaller CallerFor(KmsCaller caller, KmsAccess access) => access.Region is { } region ? caller with { Region = region } : caller;

    /// <summary>kms:ReEncryptOnSameKey: true when ReEncrypt's destination key is the key that encrypted the ciphertext (same key ARN).</summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-reencrypt-on-same-key
    private static KeyValuePair<string, ContextValues>[] ReEncryptOnSameKey(KmsKey? source, KmsKey? destination) =>
        [new("kms:ReEncryptOnSameKey", new ContextValues(
            source is not null && destination is not null && string.Equals(source.Arn, destination.Arn, StringComparison.Ordinal) ? "true" : "false"))];

    /// <summary>
    /// The caller's side of every decision: its principal, compiled identity policies, boundary, session policy and
    /// its account's guardrails. Loaded once per request (and once per principal by governance analysis).
    /// </summary>
    /// <exception cref="KmsException">AccessDeniedException when one of the caller's policies cannot be evaluated (fail closed).</exception>
    internal async ValueTask<CallerPolicies> LoadCallerAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        var identity = await identities.GetAsync(caller, cancellationToken);
        return new CallerPolicies(
            caller,
            ToPrincipal(caller),
            identity.Policies.Select(p => Compile(p.Value, p.Key)).ToList(),
            identity.PermissionsBoundary is null ? null : Compile(identity.PermissionsBoundary, "permissions-boundary"),
            identity.SessionPolicy is null ? null : Compile(identity.SessionPolicy, "session-policy"),
            await organizations.GetGuardrailsAsync(caller.Account.Value, cancellationToken));
    }

    /// <summary>
    /// The policy engine's request and every policy layer for one access to <paramref name="key"/> (null: an account-level
    /// action): the key policy, the key's grants, the caller's policies, SCPs of the caller's account, RCPs of the key's
    /// account and <paramref name="endpoints"/>. <paramref name="request"/> is null when no request is being served
    /// (governance analysis): then the network and transport condition keys are absent unless the access gives them.
    /// </summary>
    /// <exception cref="KmsException">AccessDeniedException when a policy cannot be evaluated (fail closed).</exception>
    internal async ValueTask<(AuthorizationRequest Request, PolicySet Policies)> PrepareAsync(CallerPolicies callerPolicies, KmsCaller caller, AwsRequest? request,
        KmsKey? key, KmsAccess access, IReadOnlyList<CompiledPolicy> endpoints, CancellationToken cancellationToken)
    {
        var callerGuardrails = callerPolicies.Guardrails;
        var resourceGuardrails = key is null || key.Account == caller.Account
            ? callerGuardrails
            : await organizations.GetGuardrailsAsync(key.Account.Value, cancellationToken);
        var set = new PolicySet
        {
            Grants = key is null ? [] : await GrantsAsync(key, access.GrantTokens, cancellationToken),
            ResourcePolicy = key is null ? null : KeyPolicy(key),
            IdentityPolicies = callerPolicies.IdentityPolicies,
            PermissionsBoundaries = callerPolicies.Boundary is null ? [] : [callerPolicies.Boundary],
            SessionPolicy = callerPolicies.Session,
            ServiceControlPolicies = Levels(callerGuardrails?.ServiceControlPolicies),
            ResourceControlPolicies = key is null ? null : Levels(resourceGuardrails?.ResourceControlPolicies),
            ManagementAccount = callerGuardrails?.ManagementAccount ?? default,
            EndpointPolicies = endpoints,
        };
        var authorization = new AuthorizationRequest
        {
            Principal = callerPolicies.Principal,
            Action = access.Action,
            Resource = key is null
                ? RequestResource.Create(access.AliasName is { } alias ? KeyArn.ForAlias(caller.Region, caller.Account, alias) : "*", PolicyAccountId.Parse(caller.Account.Value))
                : _resources.GetValue(key, k => RequestResource.Create(k.Arn, PolicyAccountId.Parse(k.Account.Value))),
            Context = new KmsRequestContext(callerPolicies.Caller, caller.Region, request, key, access, time.GetUtcNow(), callerGuardrails, resourceGuardrails)
            {
                // Listing a key's aliases reads every alias of its account and region: only when a policy asks.
                ResourceAliases = key is not null && set.UsesConditionKey(KmsRequestContext.ResourceAliasesKey)
                    ? await kms.AliasManager.NamesForKeyAsync(key, cancellationToken)
                    : null,
            },
            EncryptionContext = access.EncryptionContext,
        };
        return (authorization, set);
    }

    /// <summary>
    /// Checks a key policy given to CreateKey or PutKeyPolicy: the policy engine must be able to read it
    /// (MalformedPolicyDocumentException with the engine's first error otherwise), and unless
    /// <paramref name="bypassLockoutCheck"/>, it must still let the caller change the key policy later.
    /// </summary>
    public async ValueTask CheckNewKeyPolicyAsync(AwsRequest request, string keyArn, AccountId account, string policy, bool bypassLockoutCheck,
        CancellationToken cancellationToken)
    {
        KeyPolicyDocument.Validate(policy); // size quota and shape first, with the errors KMS gives for them
        if (!policies.TryCompile(policy, "key-policy", out var errors))
        {
            var first = errors.FirstOrDefault();
            throw new KmsException(KmsErrorCode.MalformedPolicyDocumentException,
                first is null ? "The key policy is not a valid policy document." : $"The key policy is not valid: {first}");
        }

        if (!bypassLockoutCheck && !await AllowsFuturePolicyChangesAsync(request, keyArn, account, policy, cancellationToken))
        {
            throw new KmsException(KmsErrorCode.MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.");
        }
    }

    /// <summary>
    /// The policy lockout safety check: would <paramref name="policy"/>, as the key policy of <paramref name="keyArn"/>,
    /// still let the caller change the key policy? (AWS KMS refuses a policy that would not, unless the caller bypasses the check.)
    /// </summary>
    private async ValueTask<bool> AllowsFuturePolicyChangesAsync(AwsRequest request, string keyArn, AccountId account, string policy, CancellationToken cancellationToken)
    {
        var identity = await identities.GetAsync(request.Caller, cancellationToken);
        var authorization = new AuthorizationRequest
        {
            Principal = ToPrincipal(request.Caller),
            Action = "kms:PutKeyPolicy",
            Resource = RequestResource.Create(keyArn, PolicyAccountId.Parse(account.Value)),
            Context = new KmsRequestContext(request, null, new KmsAccess("kms:PutKeyPolicy"), time.GetUtcNow(), null, null),
        };
        var set = new PolicySet
        {
            ResourcePolicy = Compile(policy, "key-policy"),
            IdentityPolicies = identity.Policies.Select(p => Compile(p.Value, p.Key)).ToList(),
            PermissionsBoundaries = identity.PermissionsBoundary is null ? [] : [Compile(identity.PermissionsBoundary, "permissions-boundary")],
            SessionPolicy = identity.SessionPolicy is null ? null : Compile(identity.SessionPolicy, "session-policy"),
        };
        return PolicyEvaluator.Evaluate(authorization, set).IsAllowed;
    }

    private async ValueTask<KmsKey?> ResolveAsync(KmsCaller caller, KmsAccess access, CancellationToken cancellationToken)
    {
        if (access.Ciphertext is { } ciphertext)
        {
            // The key the operation will use: the one the ciphertext names, or an asymmetric key the request names.
            return await kms.Crypto.ResolveDecryptionKeyAsync(caller, ciphertext, access.KeyIdentifier, cancellationToken);
        }

        return access.KeyIdentifier is null ? null : await kms.Resolver.ResolveAsync(caller, access.KeyIdentifier, allowAlias: true, cancellationToken);
    }

    private IReadOnlyList<OrganizationLevel>? Levels(IReadOnlyList<GuardrailLevel>? levels)
    {
        try
        {
            return policies.Levels(levels);
        }
        catch (InvalidDataException exception)
        {
            throw new KmsException(KmsErrorCode.AccessDeniedException, exception.Message + " Access is denied.");
        }
    }

    /// <summary>The key's grants, and those its grant tokens name, as the policy engine's grants.</summary>
    private async ValueTask<IReadOnlyList<KmsGrant>> GrantsAsync(KmsKey key, IReadOnlyList<string>? grantTokens, CancellationToken cancellationToken)
    {
        var grants = await kms.GrantManager.FindApplicableGrantsAsync(key, grantTokens, cancellationToken);
        if (grants.Count == 0)
        {
            return [];
        }

        return grants.Select(g => new KmsGrant(g.Id.Value, g.KeyArn, g.GranteePrincipal, g.OperationNames,
            g.Constraints is { } c ? new GrantConstraints(c.EncryptionContextEquals, c.EncryptionContextSubset) : null)).ToList();
    }

    /// <summary>
    /// The key policy, compiled (cached by text), with the unique ids its user and role ARNs were bound to when it was
    /// saved (the bound copy cached per key record; most keys have none).
    /// </summary>
    private CompiledPolicy KeyPolicy(KmsKey key) =>
        key.PolicyPrincipalIds.IsEmpty
            ? Compile(key.Policy, "key-policy")
            : _keyPolicies.GetValue(key, k => Compile(k.Policy, "key-policy").WithPrincipalBindings(PrincipalBindings.Create(k.PolicyPrincipalIds)));

    private CompiledPolicy Compile(string json, string name) =>
        // Fail closed: a policy the engine cannot read allows nothing and denies everything.
        policies.Compile(json, name)
        ?? throw new KmsException(KmsErrorCode.AccessDeniedException, $"The {name} of this request cannot be evaluated, so access is denied.");

    private PrincipalIdentity ToPrincipal(CallerIdentity caller) => _principals.GetValue(caller, c => c.ToPolicyPrincipal());
}
