using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Sessions;

namespace Keyhaven.Identity.Tests.Support;

/// <summary>The role, session name, duration, policy and external id of an AssumeRole call as positional arguments (the tests' shorthand for <see cref="AssumeRoleInput"/>).</summary>
public static class AssumeRoleShorthand
{
    public static Task<AssumedRole> AssumeRoleAsync(this IdentityStore identity, IdentityPrincipal caller, string roleArn, string sessionName,
        int? durationSeconds, string? policy, string? externalId, DateTimeOffset now, CancellationToken cancellationToken) =>
        identity.AssumeRoleAsync(caller, new AssumeRoleInput
        {
            RoleArn = roleArn, RoleSessionName = sessionName, DurationSeconds = durationSeconds, Policy = policy, ExternalId = externalId,
        }, now, AssumeRoleRequestContext.None, cancellationToken);
}
