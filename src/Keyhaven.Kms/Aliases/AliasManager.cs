using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms.Aliases;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias and ListAliases.</summary>
public sealed class AliasManager(RecordStore store, AliasRepository aliases, KeyResolver resolver, KmsEnvironment environment)
{
    public async Task CreateAsync(KmsCaller caller, string? aliasName, string? targetKeyId, CancellationToken cancellationToken)
    {
        var name = aliasName ?? string.Empty;
        AliasName.EnsureAssignable(name, "aliasName");
        var target = await resolver.ResolveAsync(caller, targetKeyId, allowAlias: false, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(target);
        var now = environment.Now;
        var alias = new Alias(name, caller.Account, caller.Region, target.Id, now, now);
        await store.WriteAsync(async transaction =>
        {
            if (await AliasRepository.ReadAsync(transaction, AliasRepository.StorageKeyFor(caller.Account, caller.Region, name), cancellationToken) is not null)
            {
                KmsErrors.Throw(KmsErrorCode.AlreadyExistsException, $"An alias with the name `{alias.Arn}` already exists.");
            }

            await AliasRepository.PutAsync(transaction, alias, 0, cancellationToken);
            return true;
        }, cancellationToken);
        aliases.Forget(caller.Account, caller.Region, name);
    }

    public async Task UpdateAsync(KmsCaller caller, string? aliasName, string? targetKeyId, CancellationToken cancellationToken)
    {
        var name = aliasName ?? string.Empty;
        AliasName.EnsureAssignable(name, "aliasName");
        var target = await resolver.ResolveAsync(caller, targetKeyId, allowAlias: false, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(target);
        var updated = await store.WriteAsync(async transaction =>
        {
            var current = await AliasRepository.ReadAsync(transaction, AliasRepository.StorageKeyFor(caller.Account, caller.Region, name), cancellationToken)
                ?? KmsErrors.Throw<Alias>(KmsErrorCode.NotFoundException, $"Alias `{KeyArn.ForAlias(caller.Region, caller.Account, name)}` is not found.");
            var next = current with { TargetKeyId = target.Id, LastUpdatedAt = environment.Now };
            await AliasRepository.PutAsync(transaction, next, current.StoreVersion, cancellationToken);
            return next with { StoreVersion = current.StoreVersion + 1 };
        }, cancellationToken);
        aliases.Forget(caller.Account, caller.Region, name);
    }

    public async Task DeleteAsync(KmsCaller caller, string? aliasName, CancellationToken cancellationToken)
    {
        var name = aliasName ?? string.Empty;
        if (!AliasName.HasValidSyntax(name))
        {
            KmsErrors.Validation("aliasName", "Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9:/_-]+$");
        }

        await store.WriteAsync(async transaction =>
        {
            var current = await AliasRepository.ReadAsync(transaction, AliasRepository.StorageKeyFor(caller.Account, caller.Region, name), cancellationToken)
                ?? KmsErrors.Throw<Alias>(KmsErrorCode.NotFoundException, $"Alias `{KeyArn.ForAlias(caller.Region, caller.Account, name)}` is not found.");
            await AliasRepository.DeleteAsync(transaction, current, cancellationToken);
            return true;
        }, cancellationToken);
        aliases.Forget(caller.Account, caller.Region, name);
    }

    /// <summary>Lists aliases, all of the account and region or only those of one key.</summary>
    public async Task<Page<Alias>> ListAsync(KmsCaller caller, string? keyId, int limit, string? marker, CancellationToken cancellationToken)
    {
        if (marker is not null && !AliasName.HasValidSyntax(marker))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        KmsKey? key = keyId is null ? null : await resolver.ResolveAsync(caller, keyId, allowAlias: false, cancellationToken);
        var items = new List<Alias>();
        var after = marker;
        while (true)
        {
            var batch = await aliases.ListAsync(caller.Account, caller.Region, after, 500, cancellationToken);
            foreach (var alias in batch)
            {
                if (key is null || alias.TargetKeyId == key.Id)
                {
                    items.Add(alias);
                    if (items.Count > limit)
                    {
                        return new Page<Alias>(items.Take(limit).ToList(), items[limit - 1].Name);
                    }
                }
            }

            if (batch.Count < 500)
            {
                return new Page<Alias>(items, null);
            }

            after = batch[^1].Name;
        }
    }

    /// <summary>
    /// The names (<c>alias/…</c>) of the aliases that point to <paramref name="key"/>, in its account and region,
    /// in name order: the value of <c>kms:ResourceAliases</c>. Reads every alias of that account and region (aliases
    /// are stored by name), so callers ask only when a policy reads the condition key.
    /// </summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
    public async Task<string[]> NamesForKeyAsync(KmsKey key, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? after = null;
        while (true)
        {
            var batch = await aliases.ListAsync(key.Account, key.Region, after, 500, cancellationToken);
            foreach (var alias in batch)
            {
                if (alias.TargetKeyId == key.Id)
                {
                    names.Add(alias.Name);
                }
            }

            if (batch.Count < 500)
            {
                return [.. names];
            }

            after = batch[^1].Name;
        }
    }

    /// <summary>Deletes every alias of a key being deleted, inside the caller's transaction.</summary>
    internal static async Task DeleteAllForKeyAsync(RecordTransaction transaction, KmsKey key, List<Alias> deleted, CancellationToken cancellationToken)
    {
        var prefix = $"{key.Account}/{key.Region}/";
        string? after = null;
        while (true)
        {
            var batch = await transaction.ListAsync(AliasRepository.Table, prefix, after, 500, cancellationToken);
            foreach (var record in batch)
            {
                var alias = await AliasRepository.ReadAsync(transaction, record.Key, cancellationToken);
                if (alias is not null && alias.TargetKeyId == key.Id)
                {
                    await AliasRepository.DeleteAsync(transaction, alias, cancellationToken);
                    deleted.Add(alias);
                }
            }

            if (batch.Count < 500)
            {
                return;
            }

            after = batch[^1].Key.Id;
        }
    }
}
