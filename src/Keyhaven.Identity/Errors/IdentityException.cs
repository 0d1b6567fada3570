namespace Keyhaven.Identity.Errors;

/// <summary>An expected refusal of the identity domain, carrying the AWS error code and a one-sentence message.</summary>
public sealed class IdentityException(IdentityErrorCode code, string message) : Exception(message)
{
    public IdentityErrorCode Code { get; } = code;

    /// <summary>The HTTP status AWS answers with for <see cref="Code"/>.</summary>
    public int HttpStatus => Code switch
    {
        IdentityErrorCode.NoSuchEntity => 404,
        IdentityErrorCode.EntityAlreadyExists or IdentityErrorCode.LimitExceeded or IdentityErrorCode.DeleteConflict => 409,
        IdentityErrorCode.AccessDenied or IdentityErrorCode.IDPRejectedClaim => 403,
        _ => 400,
    };

    /// <summary>The error code as it appears on the wire (<c>NoSuchEntity</c>, <c>ValidationError</c>, …).</summary>
    public string WireCode => Code.ToString();
}
