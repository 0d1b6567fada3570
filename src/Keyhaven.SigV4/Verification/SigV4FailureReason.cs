namespace Keyhaven.SigV4;

/// <summary>
/// Why verification failed, in more detail than the AWS error code the client sees. For the audit log and metrics.
/// </summary>
public enum SigV4FailureReason
{
    /// <summary>No Authorization header and no presigned query parameters.</summary>
    MissingAuthentication,

    /// <summary>Both an Authorization header and presigned query parameters.</summary>
    AmbiguousAuthentication,

    /// <summary>Authorization header or query parameters missing a component or not parseable.</summary>
    MalformedAuthorization,

    /// <summary>An algorithm other than AWS4-HMAC-SHA256.</summary>
    UnsupportedAlgorithm,

    /// <summary>Credential is not <c>key/date/region/service/aws4_request</c>.</summary>
    MalformedCredentialScope,

    /// <summary>Neither X-Amz-Date nor Date is present.</summary>
    MissingDate,

    /// <summary>X-Amz-Date or Date is not a valid timestamp.</summary>
    MalformedDate,

    /// <summary>The scope names another service.</summary>
    WrongService,

    /// <summary>The scope names a region this server does not serve.</summary>
    WrongRegion,

    /// <summary>The scope terminator is not aws4_request.</summary>
    WrongTerminator,

    /// <summary>The scope date differs from the request date.</summary>
    ScopeDateMismatch,

    /// <summary><c>host</c> is not among the signed headers.</summary>
    HostNotSigned,

    /// <summary>The request time is more than the allowed skew in the past.</summary>
    RequestExpired,

    /// <summary>The request time is more than the allowed skew in the future.</summary>
    RequestNotYetValid,

    /// <summary>X-Amz-Expires is missing, not a number, or outside 1..604800.</summary>
    InvalidExpires,

    /// <summary>The presigned URL's validity has elapsed.</summary>
    PresignedUrlExpired,

    /// <summary>No credential for the access key id.</summary>
    UnknownAccessKey,

    /// <summary>The signature does not match.</summary>
    SignatureMismatch,
}
