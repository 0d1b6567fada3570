using Keyhaven.Kms.Aliases;
using Keyhaven.Kms.Grants;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Usage;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Deletion;

/// <summary>
/// Deletes keys whose deletion window has ended, with their aliases and grants, in one transaction per key. Afterwards the
/// key is gone and its ciphertexts can never be decrypted again, as in AWS KMS (a deleted replica of a multi-Region key
/// leaves its related keys, whose ciphertexts they keep decrypting). Run periodically by the host.
/// </summary>
public sealed class DeletionSweeper(RecordStore store, KeyRepository keys, AliasRepository aliases, GrantRepository grants,
    KeyUsageTracker usage, KmsEnvironment environment)
{
    /// <summary>
    /// Deletes the keys that are due now. A due key that is a multi-Region primary with replica keys is never deleted:
    /// it is left as it is and named in <see cref="DeletionSweepResult.Withheld"/>.
    /// </summary>
    public async Task<DeletionSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var deletedKeys = 0;
        var withheld = new List<string>();
        foreach (var candidate in await keys.ListAllAsync(cancellationToken))
        {
            if (!IsDue(candidate, environment.Now))
            {
                continue;
            }

            var deletedAliases = new List<Alias>();
            IReadOnlyList<KmsKey> related = [];
            var isPrimaryWithReplicas = false;
            var deleted = await store.WriteAsync(async transaction =>
            {
                deletedAliases.Clear();
                related = [];
                isPrimaryWithReplicas = false;
                var key = await KeyRepository.ReadAsync(transaction, KeyRepository.StorageKeyFor(candidate.Account, candidate.Region, candidate.Id), cancellationToken);
                if (key is null || !IsDue(key, environment.Now))
                {
                    return false; // cancelled or already deleted since the listing
                }

                // AWS: "KMS will not delete a multi-Region primary key that has replica keys." Such a primary waits in
                // PendingReplicaDeletion, never in PendingDeletion; a record that says otherwise (written by a bug, or
                // by an older version) is kept, with its aliases and grants, rather than leave replicas of a deleted key.
                if (key.IsMultiRegionPrimaryWithReplicas)
                {
                    isPrimaryWithReplicas = true;
                    return false;
                }

                await AliasManager.DeleteAllForKeyAsync(transaction, key, deletedAliases, cancellationToken);
                await GrantRepository.DeleteAllForKeyAsync(transaction, key, cancellationToken);
                await KeyUsageTracker.DeleteForKeyAsync(transaction, key, cancellationToken);
                await KeyRepository.DeleteAsync(transaction, key, cancellationToken);
                related = await KeyRepository.DetachFromRelatedAsync(transaction, key, environment.Now, cancellationToken);
                return true;
            }, cancellationToken);
            if (deleted)
            {
                keys.Forget(candidate);
                foreach (var relatedKey in related)
                {
                    keys.Forget(relatedKey);
                }

                usage.Forget(candidate);
                grants.Forget(candidate.Account, candidate.Region, candidate.Id);
                foreach (var alias in deletedAliases)
                {
                    aliases.Forget(alias.Account, alias.Region, alias.Name);
                }

                deletedKeys++;
            }
            else if (isPrimaryWithReplicas)
            {
                withheld.Add(candidate.Arn);
            }
        }

        return new DeletionSweepResult(deletedKeys, withheld);
    }

    private static bool IsDue(KmsKey key, DateTimeOffset now) => key.State == KeyState.PendingDeletion && key.DeletionDate <= now;
}
