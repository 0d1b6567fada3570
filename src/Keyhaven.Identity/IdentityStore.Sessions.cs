using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Policies;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Sessions;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Compilation;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Policy.Validation;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>Shortest session AWS issues, and the default and cap for AssumeRole, in seconds.</summary>
    public const int MinSessionDuration = 900, DefaultAssumeRoleDuration = 3600, RoleChainingMaxDuration = 3600;

    /// <summary>GetSessionToken limits in seconds: users 900..129,600 (default 43,200); the account root at most 3,600.</summary>
    public const int MaxUserSessionDuration = 129_600, DefaultUserSessionDuration = 43_200, MaxRootSessionDuration = 3600;

    /// <summary>Longest inline session policy AssumeRole accepts, in characters; most managed session policies; the packed budget (see <see cref="PackedPolicyPercent"/>).</summary>
    public const int MaxSessionPolicyLength = 2048, MaxSessionPolicyArns = 10, PackedBudget = 8192;

    /// <summary>
    /// AssumeRole: checks the input, evaluates the role's trust policy as a resource policy on <c>sts:AssumeRole</c>
    /// (and <c>sts:TagSession</c> when the session gets tags, <c>sts:SetSourceIdentity</c> when it carries a source
    /// identity) with <paramref name="caller"/> as principal, together with the caller's own identity policies,
    /// boundary and session policy, the policy of the VPC endpoint the request came through, the caller's account's
    /// SCPs and the role's account's RCPs, with the request's network condition keys (<paramref name="request"/>), as AWS does; then stores a new session sealed. Role
    /// chaining passes on the caller's transitive tags and source identity and caps the duration at one hour.
    /// </summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>MalformedPolicyDocument</c>, <c>PackedPolicyTooLarge</c>, <c>AccessDenied</c>.</exception>
    public async Task<AssumedRole> AssumeRoleAsync(IdentityPrincipal caller, AssumeRoleInput input, DateTimeOffset now, AssumeRoleRequestContext request,
        CancellationToken cancellationToken)
    {
        // spec: STS API Reference, AssumeRole (RoleSessionName 2-64 [\w+=,.@-]*, DurationSeconds 900..role maximum, role chaining 1 hour)
        var (roleArn, roleSessionName) = (input.RoleArn, input.RoleSessionName);
        var (roleAccount, roleName) = await ValidateRoleSessionRequestAsync(input, cancellationToken);
        if (input.ExternalId is { Length: < 2 or > 1224 })
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The external id must be 2 to 1224 characters.");
        }

        var sourceIdentity = SourceIdentityFor(caller, input.SourceIdentity);
        var tags = SessionTags.For(caller, input);
        var packedPercent = PackedPolicyPercent(input, tags);
        if (caller.Kind == PrincipalKind.Root)
        {
            throw new IdentityException(IdentityErrorCode.AccessDenied, "Roles may not be assumed by root accounts.");
        }

        var denied = new IdentityException(IdentityErrorCode.AccessDenied, $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        var role = await FindRoleAsync(roleAccount.Value, roleName, cancellationToken);
        if (role is null || role.Arn != roleArn)
        {
            throw denied; // AWS does not tell a caller whether a role it may not assume exists
        }

        var duration = input.DurationSeconds ?? DefaultAssumeRoleDuration;
        if (caller.Kind == PrincipalKind.AssumedRole && duration > RoleChainingMaxDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        if (duration > role.MaxSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var trust = new TrustRequest(roleSessionName!, input.ExternalId, tags, sourceIdentity, request);
        if (await FindUntrustedActionAsync(caller, role, trust, now, cancellationToken) is { } action)
        {
            throw action == "sts:AssumeRole" ? denied
                : new IdentityException(IdentityErrorCode.AccessDenied, $"User: {caller.Arn} is not authorized to perform: {action} on resource: {roleArn}");
        }

        var session = new SessionDocument
        {
            Kind = nameof(PrincipalKind.AssumedRole), Account = role.Account,
            Arn = $"arn:aws:sts::{role.Account}:assumed-role/{role.RoleName}/{roleSessionName}",
            UserId = role.RoleId + ":" + roleSessionName, RoleArn = role.Arn, RoleName = role.RoleName, SessionName = roleSessionName,
            SessionPolicy = input.Policy, SessionPolicyArns = [.. input.PolicyArns],
            Tags = tags.OverRoleTags(role.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value))).Select(t => new TagDocument { Key = t.Key, Value = t.Value }).ToList(),
            SessionTags = ToTagDocuments(tags.Tags), TransitiveTagKeys = [.. tags.TransitiveKeys], SourceIdentity = sourceIdentity,
        };
        var credentials = await CreateSessionAsync(session, now, now.AddSeconds(duration), cancellationToken);
        return new AssumedRole(credentials, session.UserId, session.Arn, packedPercent, sourceIdentity);
    }

    /// <summary>
    /// The checks AssumeRole and AssumeRoleWithWebIdentity share: the session name, the role ARN, the duration range, the
    /// inline session policy (size and validity) and the managed session policies. Returns the role's account and name.
    /// </summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>MalformedPolicyDocument</c>.</exception>
    private async Task<(AccountId Account, string RoleName)> ValidateRoleSessionRequestAsync(AssumeRoleInput input, CancellationToken cancellationToken)
    {
        IdentityValidation.Name(input.RoleSessionName, "roleSessionName", 2, 64);
        if (input.RoleArn is not { Length: >= 20 and <= 2048 } roleArn || !Arn.TryParse(roleArn, out var arn) || !arn.Service.SequenceEqual("iam")
            || !arn.Resource.StartsWith("role/") || !AccountId.TryParse(arn.Account, out var roleAccount))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"`{input.RoleArn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME).");
        }

        if (input.DurationSeconds is < MinSessionDuration or > MaxRoleSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{input.DurationSeconds}` at `durationSeconds` failed to satisfy constraint: Member must be between {MinSessionDuration} and {MaxRoleSessionDuration}.");
        }

        if (input.Policy is { } sessionPolicy)
        {
            if (sessionPolicy.Length > MaxSessionPolicyLength)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError,
                    $"1 validation error detected: Value at `policy` failed to satisfy constraint: Member must have length less than or equal to {MaxSessionPolicyLength}.");
            }

            IdentityValidation.Policy(sessionPolicy, PolicyType.Identity, "session policy");
        }

        await RequireSessionPolicyArnsAsync(input.PolicyArns, cancellationToken);
        return (roleAccount, arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..].ToString());
    }

    /// <summary>
    /// The source identity of a new session: the caller's own when it has one (it cannot change along a role chain),
    /// else the one requested (2-64 characters of <c>[\w+=,.@-]</c>, not starting with <c>aws:</c>), else none.
    /// </summary>
    private static string? SourceIdentityFor(IdentityPrincipal? caller, string? requested)
    {
        if (requested is not null)
        {
            IdentityValidation.Name(requested, "sourceIdentity", 2, 64);
            if (requested.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, "A source identity may not begin with `aws:`.");
            }
        }

        if (caller?.SourceIdentity is { } inherited && requested is not null && requested != inherited)
        {
            throw new IdentityException(IdentityErrorCode.AccessDenied,
                $"The source identity of a role chain cannot change: the calling session's is `{inherited}`, the request asks for `{requested}`.");
        }

        return caller?.SourceIdentity ?? requested;
    }

    /// <summary>At most 10 managed session policies, each an existing managed policy.</summary>
    private async Task RequireSessionPolicyArnsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        if (arns.Count > MaxSessionPolicyArns)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value at `policyArns` failed to satisfy constraint: Member must have length less than or equal to {MaxSessionPolicyArns}.");
        }

        foreach (var policyArn in arns)
        {
            if (await ResolveManagedAsync(policyArn, cancellationToken) is null)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Session policy `{policyArn}` is not a managed policy ARN that exists.");
            }
        }
    }

    /// <summary>
    /// The share of the session's packed budget the session policies and tags use, in percent (AWS returns
    /// <c>PackedPolicySize</c> whenever either is passed). Keyhaven's budget is <see cref="PackedBudget"/> characters of
    /// policy text, ARNs and tag keys and values; over 100% the call fails with <c>PackedPolicyTooLarge</c>.
    /// </summary>
    private static int? PackedPolicyPercent(AssumeRoleInput input, SessionTags tags)
    {
        if (input.Policy is null && input.PolicyArns.Count == 0 && !tags.Any)
        {
            return null;
        }

        var used = (input.Policy?.Length ?? 0) + input.PolicyArns.Sum(a => a.Length) + tags.Tags.Sum(t => t.Key.Length + t.Value.Length);
        var percent = (int)Math.Ceiling(used * 100.0 / PackedBudget);
        if (percent > 100)
        {
            throw new IdentityException(IdentityErrorCode.PackedPolicyTooLarge,
                $"Packed size of the session policies and tags exceeds the limit ({percent}% of {PackedBudget} characters).");
        }

        return percent;
    }

    /// <summary>GetSessionToken: temporary credentials for an IAM user (or the account root) calling with long-term keys.</summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>AccessDenied</c> (called with session credentials).</exception>
    public async Task<SessionCredentials> GetSessionTokenAsync(IdentityPrincipal caller, int? durationSeconds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // spec: STS API Reference, GetSessionToken (900..129,600 s, default 43,200; root sessions at most 3,600)
        if (durationSeconds is < MinSessionDuration or > MaxUserSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{durationSeconds}` at `durationSeconds` failed to satisfy constraint: Member must be between {MinSessionDuration} and {MaxUserSessionDuration}.");
        }

        if (caller.IsSession || caller.Kind == PrincipalKind.AssumedRole)
        {
            throw new IdentityException(IdentityErrorCode.AccessDenied, "Cannot call GetSessionToken with session credentials.");
        }

        var duration = durationSeconds ?? DefaultUserSessionDuration;
        if (caller.Kind == PrincipalKind.Root)
        {
            duration = Math.Min(duration, MaxRootSessionDuration);
        }

        var session = new SessionDocument
        {
            Kind = caller.Kind.ToString(), Account = caller.Account.Value, Arn = caller.Arn, UserId = caller.UserId, UserName = caller.UserName,
            Tags = caller.Tags.Select(t => new TagDocument { Key = t.Key, Value = t.Value }).ToList(),
        };
        return await CreateSessionAsync(session, now, now.AddSeconds(duration), cancellationToken);
    }

    /// <summary>
    /// The policies the identity layer contributes for <paramref name="principal"/>: for a user, its inline policies, the
    /// default versions of its attached managed policies, and the inline and attached policies of its groups; for a role
    /// session, the role's inline and attached policies and the session policy. The permissions boundary comes as its
    /// ARN and its default-version document; when the ARN is set but does not resolve (the policy was deleted) the
    /// document is null and the authorizer must deny. <see cref="IdentityPolicies.PrincipalExists"/> is false when the
    /// user or role was deleted (or deleted and re-created: ids differ).
    /// </summary>
    public async Task<IdentityPolicies> GetPoliciesAsync(IdentityPrincipal principal, CancellationToken cancellationToken)
    {
        switch (principal.Kind)
        {
            case PrincipalKind.Root:
                return IdentityPolicies.Root;
            case PrincipalKind.User:
            {
                var user = await FindUserAsync(principal.Account.Value, principal.UserName ?? "", cancellationToken);
                if (user is null || user.UserId != principal.UserId)
                {
                    return new IdentityPolicies([], null, null, null, PrincipalExists: false);
                }

                var policies = ToNamed(user.Policies);
                var managed = new List<string>(user.AttachedPolicyArns);
                foreach (var groupName in user.GroupNames)
                {
                    // INVARIANT: membership is written on both sides in one transaction; a group that is gone adds nothing.
                    if (await FindGroupAsync(user.Account, groupName, cancellationToken) is { } group)
                    {
                        policies.AddRange(group.Policies.Select(p => new NamedPolicy($"group/{group.GroupName}/{p.Key}", p.Value)));
                        managed.AddRange(group.AttachedPolicyArns);
                    }
                }

                await AddManagedAsync(policies, managed, cancellationToken);
                return new IdentityPolicies(policies, user.PermissionsBoundaryArn, await ResolveBoundaryAsync(user.PermissionsBoundaryArn, cancellationToken), null, true);
            }

            default:
            {
                var role = await FindRoleAsync(principal.Account.Value, principal.RoleName ?? "", cancellationToken);
                var session = await ResolveSessionPolicyAsync(principal, cancellationToken);
                if (role is null || !principal.UserId.StartsWith(role.RoleId + ":", StringComparison.Ordinal))
                {
                    return new IdentityPolicies([], null, null, session, PrincipalExists: false);
                }

                var policies = ToNamed(role.Policies);
                await AddManagedAsync(policies, role.AttachedPolicyArns, cancellationToken);
                return new IdentityPolicies(policies, role.PermissionsBoundaryArn, await ResolveBoundaryAsync(role.PermissionsBoundaryArn, cancellationToken), session, true);
            }
        }
    }

    /// <summary>Adds the default-version documents of <paramref name="arns"/> (each once). A policy that no longer resolves adds nothing: it could only have allowed.</summary>
    private async ValueTask AddManagedAsync(List<NamedPolicy> policies, IEnumerable<string> arns, CancellationToken cancellationToken)
    {
        foreach (var arn in arns.Distinct(StringComparer.Ordinal))
        {
            if (await ResolveManagedAsync(arn, cancellationToken) is { } policy)
            {
                policies.Add(policy);
            }
        }
    }

    /// <summary>
    /// The session's inline and managed session policies as one document, or null when it has none. A managed session
    /// policy deleted since contributes no statement, so the session loses what it allowed (fail closed).
    /// </summary>
    private async ValueTask<NamedPolicy?> ResolveSessionPolicyAsync(IdentityPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.SessionPolicyArns.Count == 0)
        {
            return principal.SessionPolicy is { } text ? new NamedPolicy("session policy", text) : null;
        }

        var documents = new List<string>();
        if (principal.SessionPolicy is { } inline)
        {
            documents.Add(inline);
        }

        foreach (var arn in principal.SessionPolicyArns)
        {
            documents.Add((await ResolveManagedAsync(arn, cancellationToken))?.Document ?? NothingAllowed);
        }

        return new NamedPolicy("session policy", SessionPolicies.Combine(documents));
    }

    private const string NothingAllowed = """{"Version":"2012-10-17","Statement":[]}""";

    private async ValueTask<NamedPolicy?> ResolveBoundaryAsync(string? arn, CancellationToken cancellationToken) =>
        arn is null ? null : await ResolveManagedAsync(arn, cancellationToken);

    /// <summary>True when <paramref name="presentedToken"/> is the token of the session <paramref name="principal"/> came from (constant time).</summary>
    public static bool IsSessionToken(IdentityPrincipal principal, string? presentedToken)
    {
        if (principal.SessionTokenHash is not { } expected || string.IsNullOrEmpty(presentedToken) || presentedToken.Length > 4096)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedToken), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static List<NamedPolicy> ToNamed(SortedDictionary<string, string> policies) =>
        policies.Select(p => new NamedPolicy(p.Key, p.Value)).ToList();

    /// <summary>What the trust evaluation of one AssumeRole needs beyond the caller and the role.</summary>
    private sealed record TrustRequest(string SessionName, string? ExternalId, SessionTags Tags, string? SourceIdentity, AssumeRoleRequestContext Request);

    /// <summary>
    /// Evaluates the trust policy with the caller's own policies for each action the request needs, and returns the
    /// first one not allowed, or null when all are. Fails closed: an unreadable principal or policy denies.
    /// </summary>
    private async Task<string?> FindUntrustedActionAsync(IdentityPrincipal caller, RoleDocument role, TrustRequest trust, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!PrincipalIdentity.TryParse(caller.Arn, out var principal, caller.RoleArn, caller.PrincipalUniqueId)
            || !_compiled.TryGetOrCompile(role.AssumeRolePolicyDocument, role.Arn + " trust policy", out var trustPolicy, out _))
        {
            return "sts:AssumeRole";
        }

        // A bound user or role ARN trusts only the principal it stood for when the trust policy was saved.
        trustPolicy = trustPolicy.WithPrincipalBindings(TrustPolicyBindings(role));

        var callerPolicies = await GetPoliciesAsync(caller, cancellationToken);
        if (!callerPolicies.PrincipalExists || (callerPolicies.PermissionsBoundaryArn is not null && callerPolicies.PermissionsBoundary is null))
        {
            return "sts:AssumeRole"; // the caller's user/role is gone, or its boundary cannot be resolved
        }

        var identity = new List<CompiledPolicy>();
        foreach (var policy in callerPolicies.Policies)
        {
            if (!_compiled.TryGetOrCompile(policy.Document, policy.Name, out var compiled, out _))
            {
                return "sts:AssumeRole";
            }

            identity.Add(compiled);
        }

        CompiledPolicy? sessionPolicy = null;
        if (callerPolicies.SessionPolicy is { } session && !_compiled.TryGetOrCompile(session.Document, session.Name, out sessionPolicy, out _))
        {
            return "sts:AssumeRole";
        }

        CompiledPolicy? boundary = null;
        if (callerPolicies.PermissionsBoundary is { } bound && !_compiled.TryGetOrCompile(bound.Document, bound.Name, out boundary, out _))
        {
            return "sts:AssumeRole";
        }

        var context = new LayeredRequestContext(RequestContext.From(TrustContext(caller, trust, now)), trust.Request.Keys);
        var set = new PolicySet
        {
            ResourcePolicy = trustPolicy, ResourcePolicyMustAllow = true, IdentityPolicies = identity, SessionPolicy = sessionPolicy, PermissionsBoundaries = boundary is null ? [] : [boundary],
            EndpointPolicies = trust.Request.EndpointPolicies, ServiceControlPolicies = trust.Request.ServiceControlPolicies,
            ResourceControlPolicies = trust.Request.ResourceControlPolicies, ManagementAccount = trust.Request.ManagementAccount,
        };
        List<string> actions = ["sts:AssumeRole"];
        if (trust.Tags.Any)
        {
            actions.Add("sts:TagSession");
        }

        if (trust.SourceIdentity is not null)
        {
            actions.Add("sts:SetSourceIdentity");
        }

        foreach (var action in actions)
        {
            var request = new AuthorizationRequest { Principal = principal, Action = action, Resource = RequestResource.Create(role.Arn), Context = context };
            if (!PolicyEvaluator.Evaluate(request, set).IsAllowed)
            {
                return action;
            }
        }

        return null;
    }

    /// <summary>The condition keys of a trust evaluation: time, session name, external id, the caller's principal tags and source identity, and the requested tags and source identity.</summary>
    private static List<KeyValuePair<string, ContextValues>> TrustContext(IdentityPrincipal caller, TrustRequest trust, DateTimeOffset now)
    {
        var context = new List<KeyValuePair<string, ContextValues>>
        {
            new("aws:CurrentTime", new ContextValues(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))),
            new("aws:EpochTime", new ContextValues(now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))),
            new("sts:RoleSessionName", new ContextValues(trust.SessionName)),
            new("aws:userid", new ContextValues(caller.UserId)),
            new("aws:PrincipalArn", new ContextValues(caller.RoleArn ?? caller.Arn)),
            new("aws:PrincipalAccount", new ContextValues(caller.Account.Value)),
        };
        if (trust.ExternalId is not null)
        {
            context.Add(new("sts:ExternalId", new ContextValues(trust.ExternalId)));
        }

        if (caller.SourceIdentity is not null)
        {
            context.Add(new("aws:SourceIdentity", new ContextValues(caller.SourceIdentity)));
        }

        if (trust.SourceIdentity is not null)
        {
            context.Add(new("sts:SourceIdentity", new ContextValues(trust.SourceIdentity)));
        }

        context.AddRange(caller.Tags.Select(t => KeyValuePair.Create("aws:PrincipalTag/" + t.Key, new ContextValues(t.Value))));
        if (trust.Tags.Any)
        {
            context.AddRange(trust.Tags.Tags.Select(t => KeyValuePair.Create("aws:RequestTag/" + t.Key, new ContextValues(t.Value))));
            context.Add(new("aws:TagKeys", new ContextValues(trust.Tags.Tags.Select(t => t.Key).ToArray())));
            if (trust.Tags.TransitiveKeys.Count > 0)
            {
                context.Add(new("sts:TransitiveTagKeys", new ContextValues([.. trust.Tags.TransitiveKeys])));
            }
        }

        return context;
    }

    /// <summary>The trust evaluation's own keys first, then the request's (network path, transport, the caller's workload keys).</summary>
    private sealed class LayeredRequestContext(IRequestContext own, IRequestContext request) : IRequestContext
    {
        public bool TryGetValues(string key, out ContextValues values) => own.TryGetValues(key, out values) || request.TryGetValues(key, out values);
    }

    private async Task<SessionCredentials> CreateSessionAsync(SessionDocument session, DateTimeOffset now, DateTimeOffset expiration, CancellationToken cancellationToken)
    {
        var tokenBytes = new byte[64];
        _random(tokenBytes);
        var token = Convert.ToBase64String(tokenBytes);
        CryptographicOperations.ZeroMemory(tokenBytes);
        session.AccessKeyId = NewId("ASIA", 20);
        session.SecretAccessKey = NewSecret();
        session.SessionTokenSha256 = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        session.CreatedAt = now;
        session.Expiration = DateTimeOffset.FromUnixTimeSeconds(expiration.ToUnixTimeSeconds());
        await _store.WriteAsync(async transaction =>
        {
            await PutAsync(transaction, new StorageKey(SessionsTable, session.AccessKeyId), 0, session, IdentityJsonContext.Default.SessionDocument, cancellationToken);
            return true;
        }, cancellationToken);
        return new SessionCredentials(session.AccessKeyId, session.SecretAccessKey, token, session.Expiration);
    }
}
