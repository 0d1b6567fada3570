using Keyhaven.Identity.Sessions;

namespace Keyhaven.Identity.Federation;

/// <summary>
/// One AssumeRoleWithWebIdentity call after its token was verified: the request's parameters (role, session name,
/// duration, session policies, source identity) and what the token says (provider, subject, audience, amr, the
/// session tags of its <c>https://aws.amazon.com/tags</c> claim).
/// </summary>
public sealed record WebIdentityInput
{
    /// <summary>The request's parameters; <see cref="AssumeRoleInput.Tags"/> and <see cref="AssumeRoleInput.TransitiveTagKeys"/> come from the token.</summary>
    public required AssumeRoleInput Request { get; init; }

    /// <summary>The provider that issued the token (its ARN).</summary>
    public required OidcProvider Provider { get; init; }

    /// <summary>The token's <c>sub</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The token's audience that matched one of the provider's client ids.</summary>
    public required string Audience { get; init; }

    /// <summary>The token's <c>amr</c> values, if any.</summary>
    public IReadOnlyList<string> AuthenticationMethods { get; init; } = [];
}
