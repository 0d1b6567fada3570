namespace Keyhaven.Server.Federation;

/// <summary>
/// What a verified OIDC token says: its provider, subject, the audience that matched, <c>amr</c>, <c>groups</c>, and
/// the session tags of its <c>https://aws.amazon.com/tags</c> claim and the source identity of its
/// <c>https://aws.amazon.com/source_identity</c> claim. Immutable.
/// </summary>
internal sealed record WebIdentityToken(
    Keyhaven.Identity.Federation.OidcProvider Provider,
    string Subject,
    string Audience,
    IReadOnlyList<string> AuthenticationMethods,
    IReadOnlyList<string> Groups,
    IReadOnlyList<KeyValuePair<string, string>> SessionTags,
    IReadOnlyList<string> TransitiveTagKeys,
    string? SourceIdentity);
