using System.Globalization;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Federation;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Sessions;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>
    /// AssumeRoleWithWebIdentity after the token was verified against <see cref="WebIdentityInput.Provider"/>: the role's
    /// trust policy must allow <c>sts:AssumeRoleWithWebIdentity</c> for <c>{"Federated": providerArn}</c> (and
    /// <c>sts:TagSession</c> when the token carries session tags, <c>sts:SetSourceIdentity</c> when the request sets
    /// one), with the condition keys <c>HOST/PATH:sub</c>, <c>:aud</c>, <c>:amr</c>; the trust policy alone decides, as
    /// in AWS (the caller has no identity policies). The session remembers its provider (<c>aws:FederatedProvider</c>).
    /// </summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>MalformedPolicyDocument</c>, <c>PackedPolicyTooLarge</c>, <c>AccessDenied</c>.</exception>
    public async Task<AssumedRole> AssumeRoleWithWebIdentityAsync(WebIdentityInput web, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // spec: STS API Reference, AssumeRoleWithWebIdentity; IAM User Guide, "Available keys for OIDC federation"
        var input = web.Request;
        var (roleAccount, roleName) = await ValidateRoleSessionRequestAsync(input, cancellationToken);
        var sourceIdentity = SourceIdentityFor(null, input.SourceIdentity);
        var tags = SessionTags.For(null, input);
        var packedPercent = PackedPolicyPercent(input, tags);
        var denied = new IdentityException(IdentityErrorCode.AccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        var role = await FindRoleAsync(roleAccount.Value, roleName, cancellationToken);
        if (role is null || role.Arn != input.RoleArn)
        {
            throw denied;
        }

        var duration = input.DurationSeconds ?? DefaultAssumeRoleDuration;
        if (duration > role.MaxSessionDuration)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        if (!_compiled.TryGetOrCompile(role.AssumeRolePolicyDocument, role.Arn + " trust policy", out var trustPolicy, out _))
        {
            throw denied; // fail closed: an unreadable trust policy trusts no one
        }

        var context = RequestContext.From(WebIdentityContext(web, input, tags, sourceIdentity, now));
        var principal = PrincipalIdentity.ForFederatedProvider(web.Provider.Arn);
        var set = new PolicySet { ResourcePolicy = trustPolicy, ResourcePolicyMustAllow = true };
        List<string> actions = ["sts:AssumeRoleWithWebIdentity"];
        if (tags.Any)
        {
            actions.Add("sts:TagSession");
        }

        if (sourceIdentity is not null)
        {
            actions.Add("sts:SetSourceIdentity");
        }

        foreach (var action in actions)
        {
            var request = new AuthorizationRequest { Principal = principal, Action = action, Resource = RequestResource.Create(role.Arn), Context = context };
            if (!PolicyEvaluator.Evaluate(request, set).IsAllowed)
            {
                throw action == "sts:AssumeRoleWithWebIdentity" ? denied
                    : new IdentityException(IdentityErrorCode.AccessDenied, $"Not authorized to perform {action} on resource: {role.Arn}");
            }
        }

        var session = new SessionDocument
        {
            Kind = nameof(PrincipalKind.AssumedRole), Account = role.Account,
            Arn = $"arn:aws:sts::{role.Account}:assumed-role/{role.RoleName}/{input.RoleSessionName}",
            UserId = role.RoleId + ":" + input.RoleSessionName, RoleArn = role.Arn, RoleName = role.RoleName, SessionName = input.RoleSessionName,
            SessionPolicy = input.Policy, SessionPolicyArns = [.. input.PolicyArns],
            Tags = tags.OverRoleTags(role.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value))).Select(t => new TagDocument { Key = t.Key, Value = t.Value }).ToList(),
            SessionTags = ToTagDocuments(tags.Tags), TransitiveTagKeys = [.. tags.TransitiveKeys], SourceIdentity = sourceIdentity,
            FederatedProvider = web.Provider.Arn, WebIdentitySubject = web.Subject, WebIdentityAudience = web.Audience,
        };
        var credentials = await CreateSessionAsync(session, now, now.AddSeconds(duration), cancellationToken);
        return new AssumedRole(credentials, session.UserId, session.Arn, packedPercent, sourceIdentity);
    }

    /// <summary>The condition keys of a web-identity trust evaluation.</summary>
    private static List<KeyValuePair<string, ContextValues>> WebIdentityContext(WebIdentityInput web, AssumeRoleInput input, SessionTags tags, string? sourceIdentity, DateTimeOffset now)
    {
        var prefix = web.Provider.Url + ":";
        var context = new List<KeyValuePair<string, ContextValues>>
        {
            new("aws:CurrentTime", new ContextValues(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))),
            new("aws:EpochTime", new ContextValues(now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))),
            new("sts:RoleSessionName", new ContextValues(input.RoleSessionName!)),
            new("aws:FederatedProvider", new ContextValues(web.Provider.Arn)),
            new(prefix + "sub", new ContextValues(web.Subject)),
            new(prefix + "aud", new ContextValues(web.Audience)),
            new(prefix + "oaud", new ContextValues(web.Audience)),
        };
        if (web.AuthenticationMethods.Count > 0)
        {
            context.Add(new(prefix + "amr", new ContextValues([.. web.AuthenticationMethods])));
        }

        if (sourceIdentity is not null)
        {
            context.Add(new("sts:SourceIdentity", new ContextValues(sourceIdentity)));
        }

        if (tags.Any)
        {
            context.AddRange(tags.Tags.Select(t => KeyValuePair.Create("aws:RequestTag/" + t.Key, new ContextValues(t.Value))));
            context.Add(new("aws:TagKeys", new ContextValues(tags.Tags.Select(t => t.Key).ToArray())));
            if (tags.TransitiveKeys.Count > 0)
            {
                context.Add(new("sts:TransitiveTagKeys", new ContextValues([.. tags.TransitiveKeys])));
            }
        }

        return context;
    }
}
