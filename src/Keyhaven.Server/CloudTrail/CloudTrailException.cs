namespace Keyhaven.Server.CloudTrail;

/// <summary>A CloudTrail client error with its AWS error code (always HTTP 400).</summary>
internal sealed class CloudTrailException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
