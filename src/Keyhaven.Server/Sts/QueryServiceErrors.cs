using Keyhaven.Server.Authentication;
using Keyhaven.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Sts;

/// <summary>Errors of the Query-protocol services (STS, IAM) with the codes those services use for authentication failures.</summary>
internal static class QueryServiceErrors
{
    /// <summary>
    /// Writes an error the pipeline raised. STS and IAM say <c>InvalidClientTokenId</c> (403) where KMS says
    /// <c>UnrecognizedClientException</c>, and <c>ExpiredToken</c> (403) where KMS says <c>ExpiredTokenException</c>
    /// (aws/aws-cli#7870; the STS model's ExpiredTokenException is AssumeRoleWith*'s error for an expired identity-provider
    /// token); every other code is kept.
    /// </summary>
    public static Task WriteAuthenticationErrorAsync(HttpContext context, string xmlNamespace, int status, string code, string message, string requestId) =>
        code switch
        {
            SessionCredentialCheck.InvalidTokenCode => AwsQueryProtocol.WriteErrorAsync(context, xmlNamespace, 403, "InvalidClientTokenId", message, requestId),
            SessionCredentialCheck.ExpiredTokenCode => AwsQueryProtocol.WriteErrorAsync(context, xmlNamespace, 403, "ExpiredToken", message, requestId),
            _ => AwsQueryProtocol.WriteErrorAsync(context, xmlNamespace, status, code, message, requestId),
        };

    /// <summary>True for a form-encoded request whose Version is <paramref name="version"/>.</summary>
    public static bool IsQueryRequest(HttpRequest request, ReadOnlySpan<byte> body, string version) =>
        AwsQueryProtocol.IsFormRequest(request) && QueryRequest.TryPeekVersion(body, out var actual) && actual == version;

    /// <summary>Reads an optional integer parameter; a value that is not an integer is a <c>ValidationError</c>.</summary>
    public static int? GetInt(QueryRequest query, string name)
    {
        var text = query.Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new Keyhaven.Identity.Errors.IdentityException(Keyhaven.Identity.Errors.IdentityErrorCode.ValidationError, $"`{text}` is not a valid integer for `{name}`.");
    }

    /// <summary>Reads a required string parameter; a missing one is a <c>ValidationError</c> naming it.</summary>
    public static string Require(QueryRequest query, string name) =>
        query.Get(name) ?? throw new Keyhaven.Identity.Errors.IdentityException(Keyhaven.Identity.Errors.IdentityErrorCode.ValidationError,
            $"1 validation error detected: Value null at `{char.ToLowerInvariant(name[0]) + name[1..]}` failed to satisfy constraint: Member must not be null");
}
