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

    /// <summary>Longest inline session policy AssumeRole accepts, in characters.</summary>
    public const int MaxSessionPolicyLength = 2048;

    /// <summary>
    /// AssumeRole: checks the input, evaluates the role's trust policy as a resource policy on <c>sts:AssumeRole</c>
    /// with <paramref name="caller"/> as principal (together with the caller's own identity policies, boundary and
    /// session policy, as AWS does), and stores a new session sealed.
    /// </summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>MalformedPolicyDocument</c>, <c>AccessDenied</c>.</exception>
    public async Task<AssumedRole> AssumeRoleAsync(IdentityPrincipal caller, string? roleArn, string? roleSessionName, int? durationSeconds,
        string? sessionPolicy, string? externalId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // spec: STS API Reference, AssumeRole (RoleSessionName 2-64 [\w+=,.@-]*, DurationSeconds 900..role maximum, role chaining 1 hour)
        IdentityValidation.Name(roleSessionName, "roleSessionName", 2, 64);
        if (roleArn is null || roleArn.Length is < 20 or > 2048 || !Arn.TryParse(roleArn, out var arn) || !arn.Service.SequenceEqual("iam")
            || !arn.Resource.StartsWith("role/") || !AccountId.TryParse(arn.Account, out var roleAccount))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"`{roleArn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME).");
        }

        if (durationSeconds is < MinSessionDuration or > MaxRoleSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{durationSeconds}` at `durationSeconds` failed to satisfy constraint: Member must be between {MinSessionDuration} and {MaxRoleSessionDuration}.");
        }

        if (sessionPolicy is not null)
        {
            if (sessionPolicy.Length > MaxSessionPolicyLength)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError,
                    $"1 validation error detected: Value at `policy` failed to satisfy constraint: Member must have length less than or equal to {MaxSessionPolicyLength}.");
            }

            IdentityValidation.Policy(sessionPolicy, PolicyType.Identity, "session policy");
        }

        if (externalId is { Length: < 2 or > 1224 })
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The external id must be 2 to 1224 characters.");
        }

        if (caller.Kind == PrincipalKind.Root)
        {
            throw new IdentityException(IdentityErrorCode.AccessDenied, "Roles may not be assumed by root accounts.");
        }

        var denied = new IdentityException(IdentityErrorCode.AccessDenied, $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        var roleName = arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..].ToString();
        var role = await FindRoleAsync(roleAccount.Value, roleName, cancellationToken);
        if (role is null || role.Arn != roleArn)
        {
            throw denied; // AWS does not tell a caller whether a role it may not assume exists
        }

        var duration = durationSeconds ?? DefaultAssumeRoleDuration;
        if (caller.Kind == PrincipalKind.AssumedRole && duration > RoleChainingMaxDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        if (duration > role.MaxSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        if (!await IsTrustedAsync(caller, role, roleSessionName!, externalId, now, cancellationToken))
        {
            throw denied;
        }

        var session = new SessionDocument
        {
            Kind = nameof(PrincipalKind.AssumedRole), Account = role.Account,
            Arn = $"arn:aws:sts::{role.Account}:assumed-role/{role.RoleName}/{roleSessionName}",
            UserId = role.RoleId + ":" + roleSessionName, RoleArn = role.Arn, RoleName = role.RoleName, SessionName = roleSessionName,
            SessionPolicy = sessionPolicy, Tags = role.Tags,
        };
        var credentials = await CreateSessionAsync(session, now, now.AddSeconds(duration), cancellationToken);
        return new AssumedRole(credentials, session.UserId, session.Arn, null);
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
                var session = principal.SessionPolicy is { } text ? new NamedPolicy("session policy", text) : null;
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

    private async Task<bool> IsTrustedAsync(IdentityPrincipal caller, RoleDocument role, string sessionName, string? externalId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!PrincipalIdentity.TryParse(caller.Arn, out var principal, caller.RoleArn)
            || !_compiled.TryGetOrCompile(role.AssumeRolePolicyDocument, role.Arn + " trust policy", out var trust, out _))
        {
            return false; // fail closed: an unreadable principal or trust policy denies
        }

        var callerPolicies = await GetPoliciesAsync(caller, cancellationToken);
        if (!callerPolicies.PrincipalExists || (callerPolicies.PermissionsBoundaryArn is not null && callerPolicies.PermissionsBoundary is null))
        {
            return false; // the caller's user/role is gone, or its boundary cannot be resolved
        }

        var identity = new List<CompiledPolicy>();
        foreach (var policy in callerPolicies.Policies)
        {
            if (!_compiled.TryGetOrCompile(policy.Document, policy.Name, out var compiled, out _))
            {
                return false;
            }

            identity.Add(compiled);
        }

        CompiledPolicy? sessionPolicy = null;
        if (callerPolicies.SessionPolicy is { } session && !_compiled.TryGetOrCompile(session.Document, session.Name, out sessionPolicy, out _))
        {
            return false;
        }

        CompiledPolicy? boundary = null;
        if (callerPolicies.PermissionsBoundary is { } bound && !_compiled.TryGetOrCompile(bound.Document, bound.Name, out boundary, out _))
        {
            return false;
        }

        var context = new List<KeyValuePair<string, string>>
        {
            new("aws:CurrentTime", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("aws:EpochTime", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new("sts:RoleSessionName", sessionName),
            new("aws:userid", caller.UserId),
        };
        if (externalId is not null)
        {
            context.Add(new("sts:ExternalId", externalId));
        }

        context.AddRange(caller.Tags.Select(t => KeyValuePair.Create("aws:PrincipalTag/" + t.Key, t.Value)));
        var request = new AuthorizationRequest
        {
            Principal = principal,
            Action = "sts:AssumeRole",
            Resource = RequestResource.Create(role.Arn),
            Context = RequestContext.FromSingleValues(context),
        };
        var decision = PolicyEvaluator.Evaluate(request, new PolicySet
        {
            ResourcePolicy = trust, IdentityPolicies = identity, SessionPolicy = sessionPolicy, PermissionsBoundaries = boundary is null ? [] : [boundary],
        });
        return decision.IsAllowed;
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
