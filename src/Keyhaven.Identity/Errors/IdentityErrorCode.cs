namespace Keyhaven.Identity.Errors;

/// <summary>The AWS error codes the identity domain raises; the wire layer maps each to its HTTP status.</summary>
public enum IdentityErrorCode
{
    /// <summary>IAM <c>NoSuchEntity</c> (404).</summary>
    NoSuchEntity,

    /// <summary>IAM <c>EntityAlreadyExists</c> (409).</summary>
    EntityAlreadyExists,

    /// <summary><c>MalformedPolicyDocument</c> (400).</summary>
    MalformedPolicyDocument,

    /// <summary><c>ValidationError</c> (400).</summary>
    ValidationError,

    /// <summary>IAM <c>LimitExceeded</c> (409).</summary>
    LimitExceeded,

    /// <summary>IAM <c>DeleteConflict</c> (409).</summary>
    DeleteConflict,

    /// <summary><c>AccessDenied</c> (403).</summary>
    AccessDenied,

    /// <summary>IAM <c>InvalidInput</c> (400).</summary>
    InvalidInput,

    /// <summary>STS <c>PackedPolicyTooLarge</c> (400).</summary>
    PackedPolicyTooLarge,

    /// <summary>STS <c>InvalidIdentityToken</c> (400): the web identity token is malformed, unsigned by the issuer, or for another audience.</summary>
    InvalidIdentityToken,

    /// <summary>STS <c>ExpiredTokenException</c> (400): the web identity token has expired.</summary>
    ExpiredTokenException,

    /// <summary>STS <c>IDPCommunicationError</c> (400): the issuer's discovery document or keys could not be fetched.</summary>
    IDPCommunicationError,

    /// <summary>STS <c>IDPRejectedClaim</c> (403): the issuer's token is not accepted for this role.</summary>
    IDPRejectedClaim,
}
