using Keyhaven.Identity;
using Keyhaven.SigV4;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// The check the pipeline runs after a signature verifies: a temporary key (<c>ASIA…</c>) must come with its own
/// session token (compared in constant time) and be unexpired; a long-term key must come without one.
/// </summary>
internal static class SessionCredentialCheck
{
    public const string InvalidTokenCode = SigV4Error.UnrecognizedClientCode;
    public const string ExpiredTokenCode = "ExpiredTokenException";

    /// <summary>Null when the credential may be used at <paramref name="now"/>; otherwise the error to answer with.</summary>
    public static (int Status, string Code, string Message)? Check(SigV4Authentication<CallerIdentity> authentication, DateTimeOffset now)
    {
        var caller = authentication.Principal;
        if (!caller.IsSession)
        {
            return authentication.SessionToken is null ? null : Invalid;
        }

        if (!IdentityStore.IsSessionToken(caller.Principal, authentication.SessionToken))
        {
            return Invalid;
        }

        // INVARIANT: sessions always carry an expiry.
        return now >= caller.SessionExpiration!.Value ? (400, ExpiredTokenCode, "The security token included in the request is expired") : null;
    }

    private static (int, string, string) Invalid => (400, InvalidTokenCode, "The security token included in the request is invalid.");
}
