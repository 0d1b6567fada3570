using Keyhaven.Server.Audit;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Network;
using Keyhaven.SigV4;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Pipeline;

/// <summary>
/// An authenticated request on its way to a service: the HTTP exchange, the body, who signed it for which region, and
/// the network path it took (public listener or a VPC endpoint).
/// </summary>
/// <remarks><see cref="Body"/> is valid only until <see cref="IAwsService.HandleAsync"/> returns; it is then zeroed.</remarks>
internal sealed record AwsRequest(HttpContext Http, ReadOnlyMemory<byte> Body, SigV4Authentication<CallerIdentity> Authentication, string RequestId, AuditScope Audit,
    NetworkOrigin Origin)
{
    public CallerIdentity Caller => Authentication.Principal;

    public string Region => Authentication.Scope.Region;
}
