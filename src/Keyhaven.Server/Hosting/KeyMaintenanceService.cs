using Keyhaven.Kms;
using Keyhaven.Kms.Deletion;
using Keyhaven.Storage.Backends;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Hosting;

/// <summary>
/// Background work: rotates keys whose rotation is due, deletes keys whose deletion window has ended, expires imported
/// material and saves keys' last usage. Runs on one node of a cluster at a time: the one that holds the storage's
/// leadership (always the only node on SQLite).
/// </summary>
internal sealed class KeyMaintenanceService(KmsDomain kms, IStorageBackend backend, KeyhavenServerOptions options, ILogger<KeyMaintenanceService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken);
            try
            {
                await Task.Delay(options.MaintenanceInterval, options.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass of every job: due rotations, due deletions, expired imported material, last-usage records.</summary>
    public static async Task<(int Rotated, DeletionSweepResult Deletion)> RunJobsAsync(KmsDomain kms, CancellationToken cancellationToken)
    {
        var rotated = await kms.RotationScheduler.RunDueAsync(cancellationToken);
        var deletion = await kms.DeletionSweeper.SweepAsync(cancellationToken);
        await kms.Imports.ExpireDueAsync(cancellationToken);
        await kms.Usage.FlushAsync(cancellationToken);
        return (rotated, deletion);
    }

    /// <summary>One pass of the jobs if this node leads; failures are logged and retried on the next pass.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await backend.HoldsLeadershipAsync(cancellationToken))
            {
                return;
            }

            var (rotated, deletion) = await RunJobsAsync(kms, cancellationToken);
            if (rotated + deletion.Deleted > 0)
            {
                logger.LogInformation("Maintenance rotated {Rotated} keys and deleted {Deleted} keys", rotated, deletion.Deleted);
            }

            foreach (var keyArn in deletion.Withheld)
            {
                // No API leads here (such a primary waits in PendingReplicaDeletion): the record needs an operator's look.
                logger.LogWarning("Key {KeyArn} is due for deletion but is a multi-Region primary key with replica keys; it was not deleted", keyArn);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Key maintenance failed; it will run again");
        }
    }
}
