using Keyhaven.Identity.Principals;

namespace Keyhaven.Server.Authentication;

/// <summary>
/// What credentials from GetSessionToken may not call, checked by the IAM and STS services before anything else:
/// no IAM operation (AWS allows them only to sessions authenticated with MFA, and Keyhaven's GetSessionToken takes no
/// MFA), and of STS only AssumeRole and GetCallerIdentity.
/// </summary>
// spec: STS/latest/APIReference/API_GetSessionToken.html
internal static class SessionTokenRestrictions
{
    /// <summary>
    /// Null when <paramref name="caller"/> may call <paramref name="action"/> of <paramref name="service"/> (<c>iam</c> or
    /// <c>sts</c>); otherwise the error to answer with. AWS answers IAM calls with <c>InvalidClientTokenId</c> (403, as
    /// aws-vault#15 and aws-cli#8918 show); for STS it says <c>AccessDenied</c> ("Cannot call GetSessionToken with
    /// session credentials").
    /// </summary>
    public static (int Status, string Code, string Message)? Check(IdentityPrincipal caller, string service, string action)
    {
        // A user's or the root's temporary credential can only come from GetSessionToken; role sessions are AssumedRole.
        if (!caller.IsSession || caller.Kind == PrincipalKind.AssumedRole)
        {
            return null;
        }

        return service switch
        {
            "iam" => (403, "InvalidClientTokenId", "The security token included in the request is invalid"),
            "sts" when action is not ("AssumeRole" or "GetCallerIdentity") => (403, "AccessDenied", $"Cannot call {action} with session credentials."),
            _ => null,
        };
    }
}
