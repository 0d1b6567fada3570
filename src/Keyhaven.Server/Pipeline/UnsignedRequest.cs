using Keyhaven.Server.Network;
using Microsoft.AspNetCore.Http;

namespace Keyhaven.Server.Pipeline;

/// <summary>
/// A request for one of the few operations AWS serves without a signature (STS AssumeRoleWithWebIdentity: the token
/// in the body is the credential). Everything else the pipeline refuses unless signed.
/// </summary>
/// <remarks><see cref="Body"/> is valid only until <see cref="IAwsService.HandleUnsignedAsync"/> returns; it is then zeroed.</remarks>
internal sealed record UnsignedRequest(HttpContext Http, ReadOnlyMemory<byte> Body, string RequestId, NetworkOrigin Origin, Keyhaven.Server.Audit.AuditScope Audit);
