using System.Globalization;

namespace Keyhaven.SigV4;

/// <summary>
/// A verification failure as the AWS JSON protocol reports it: error type (<c>__type</c>), message and HTTP status,
/// plus a <see cref="Reason"/> for the audit log. Messages never contain secrets or the expected signature.
/// </summary>
public sealed class SigV4Error
{
    /// <summary>AWS error code for a request without any authentication.</summary>
    public const string MissingAuthenticationTokenCode = "MissingAuthenticationTokenException";

    /// <summary>AWS error code for a malformed Authorization header or presigned parameters.</summary>
    public const string IncompleteSignatureCode = "IncompleteSignatureException";

    /// <summary>AWS error code for a wrong signature, scope, or request time.</summary>
    public const string InvalidSignatureCode = "InvalidSignatureException";

    /// <summary>AWS error code for an unknown access key id.</summary>
    public const string UnrecognizedClientCode = "UnrecognizedClientException";

    private SigV4Error(SigV4FailureReason reason, string code, string message, int httpStatusCode)
    {
        Reason = reason;
        Code = code;
        Message = message;
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>Detailed reason (not sent to the client as such).</summary>
    public SigV4FailureReason Reason { get; }

    /// <summary>The AWS error code, e.g. <c>InvalidSignatureException</c>; the JSON <c>__type</c>.</summary>
    public string Code { get; }

    /// <summary>The message to return.</summary>
    public string Message { get; }

    /// <summary>The HTTP status to return (400 for every SigV4 failure of a JSON-protocol service such as KMS).</summary>
    public int HttpStatusCode { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Code} ({Reason}): {Message}";

    internal static SigV4Error MissingAuthentication() =>
        new(SigV4FailureReason.MissingAuthentication, MissingAuthenticationTokenCode, "Missing Authentication Token", 400);

    internal static SigV4Error Incomplete(SigV4FailureReason reason, string message) =>
        new(reason, IncompleteSignatureCode, message, 400);

    internal static SigV4Error Invalid(SigV4FailureReason reason, string message) =>
        new(reason, InvalidSignatureCode, message, 400);

    internal static SigV4Error UnknownAccessKey() =>
        new(SigV4FailureReason.UnknownAccessKey, UnrecognizedClientCode, "The security token included in the request is invalid.", 400);

    internal static SigV4Error SignatureMismatch() =>
        new(
            SigV4FailureReason.SignatureMismatch,
            InvalidSignatureCode,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            400);

    /// <summary>AWS wording: "Signature expired: T is now earlier than N-W (N - W.)".</summary>
    internal static SigV4Error Expired(SigV4FailureReason reason, DateTimeOffset requestTime, DateTimeOffset now, TimeSpan window) =>
        Invalid(reason, string.Create(
            CultureInfo.InvariantCulture,
            $"Signature expired: {Format(requestTime)} is now earlier than {Format(now - window)} ({Format(now)} - {FormatWindow(window)})"));

    /// <summary>AWS wording: "Signature not yet current: T is still later than N+W (N + W.)".</summary>
    internal static SigV4Error NotYetCurrent(DateTimeOffset requestTime, DateTimeOffset now, TimeSpan window) =>
        Invalid(SigV4FailureReason.RequestNotYetValid, string.Create(
            CultureInfo.InvariantCulture,
            $"Signature not yet current: {Format(requestTime)} is still later than {Format(now + window)} ({Format(now)} + {FormatWindow(window)})"));

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string FormatWindow(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerMinute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)window.TotalMinutes} min.")
            : string.Create(CultureInfo.InvariantCulture, $"{(long)window.TotalSeconds} sec.");
}
