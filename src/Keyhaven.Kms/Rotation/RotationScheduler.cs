using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Rotation;

/// <summary>Rotates every enabled key whose automatic rotation is due. Run periodically by the host.</summary>
public sealed class RotationScheduler(KeyRepository keys, RotationManager rotation, KmsEnvironment environment)
{
    /// <summary>Rotates the keys that are due now; returns how many were rotated.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var rotated = 0;
        foreach (var candidate in await keys.ListAllAsync(cancellationToken))
        {
            if (!IsDue(candidate, environment.Now))
            {
                continue;
            }

            var before = candidate.CurrentVersion.Ordinal;
            var after = await keys.UpdateAsync(candidate, key =>
            {
                var now = environment.Now;
                // INVARIANT: re-checked on the fresh record; another node may have rotated it meanwhile.
                return IsDue(key, now)
                    ? rotation.Rotate(key, RotationType.Automatic, now) with { NextRotationDate = now.AddDays(key.RotationPeriodInDays!.Value) }
                    : key;
            }, cancellationToken);
            if (after.CurrentVersion.Ordinal > before)
            {
                rotated++;
            }
        }

        return rotated;
    }

    // A multi-Region key rotates on its primary; the new material reaches the replicas in the same transaction.
    private static bool IsDue(KmsKey key, DateTimeOffset now) =>
        key.State == KeyState.Enabled && key.RotationEnabled && key.NextRotationDate <= now && !key.IsMultiRegionReplica;
}
