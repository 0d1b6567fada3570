using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Authorization;

/// <summary>The one authorization call of the request pipeline: may this caller run this operation at all?</summary>
public interface IRequestAuthorizer
{
    /// <summary>Returns null when allowed, or the AccessDeniedException message.</summary>
    string? Authorize(CallerIdentity caller, string operation);
}
