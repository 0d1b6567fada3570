using Keyhaven.Audit.Trail;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Hosting;

/// <summary>Writes a signed digest of the audit trail every <see cref="KeyhavenServerOptions.AuditDigestInterval"/> (the shutdown digest is written when the trail closes).</summary>
internal sealed class AuditDigestService(AuditTrail trail, KeyhavenServerOptions options, ILogger<AuditDigestService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.AuditDigestInterval, options.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await trail.WriteDigestAsync();
            }
            catch (AuditWriteException exception)
            {
                logger.LogError(exception, "The audit digest could not be written; it will be tried again");
            }
        }
    }
}
