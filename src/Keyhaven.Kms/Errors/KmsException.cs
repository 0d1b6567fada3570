namespace Keyhaven.Kms.Errors;

/// <summary>
/// A request the service refuses, with the AWS error code a client expects. The message is safe to return: it never
/// holds key material or plaintext.
/// </summary>
public sealed class KmsException(KmsErrorCode code, string message) : Exception(message)
{
    public KmsErrorCode Code { get; } = code;
}
