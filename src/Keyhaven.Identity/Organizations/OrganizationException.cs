namespace Keyhaven.Identity.Organizations;

/// <summary>An expected refusal of the organization domain, with AWS's error code and a one-sentence message.</summary>
public sealed class OrganizationException(OrganizationErrorCode code, string message, string? reason = null) : Exception(message)
{
    public OrganizationErrorCode Code { get; } = code;

    /// <summary>For <c>ConstraintViolationException</c> and <c>InvalidInputException</c>: AWS's <c>Reason</c> value, or null.</summary>
    public string? Reason { get; } = reason;
}
