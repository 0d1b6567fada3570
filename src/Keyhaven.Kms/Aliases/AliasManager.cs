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
        var target = await ResolveTargetAsync(caller, targetKeyId, cancellationToken);
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
        var target = await ResolveTargetAsync(caller, targetKeyId, cancellationToken);
        var updated = await store.WriteAsync(async transaction =>
        {
            var current = await AliasRepository.ReadAsync(transaction, AliasRepository.StorageKeyFor(caller.Account, caller.Region, name), cancellationToken)
                ?? KmsErrors.Throw<Alias>(KmsErrorCode.NotFoundException, $"Alias `{KeyArn.ForAlias(caller.Region, caller.Account, name)}` is not found.");
            var currentTarget = await KeyRepository.ReadAsync(transaction, KeyRepository.StorageKeyFor(current.Account, current.Region, current.TargetKeyId), cancellationToken);
            EnsureSameKind(name, currentTarget, target);
            var next = current with { TargetKeyId = target.Id, LastUpdatedAt = environment.Now };
            await AliasRepository.PutAsync(transaction, next, current.StoreVersion, cancellationToken);
            return next with { StoreVersion = current.StoreVersion + 1 };
        }, cancellationToken);
        aliases.Forget(caller.Account, caller.Region, name);
    }

    /// <summary>
    /// The key an alias is to point to: a key of the caller's own account and region (an alias lives in its key's
    /// account; a key ARN of another account answers NotFoundException, whatever that key's policy allows), not pending deletion.
    /// </summary>
    // spec: kms/2014-11-01 CreateAlias ("Cross-account use: No", "The KMS key must be in the same Amazon Web Services account and Region as the alias")
    private async Task<KmsKey> ResolveTargetAsync(KmsCaller caller, string? targetKeyId, CancellationToken cancellationToken)
    {
        var target = await resolver.ResolveOwnAsync(caller, targetKeyId, allowAlias: false, cancellationToken);
        KeyStateRules.EnsureNotPendingDeletion(target);
        return target;
    }

    /// <summary>
    /// UpdateAlias moves an alias only between keys of the same type (symmetric, asymmetric or HMAC) and the same key
    /// usage; to change either, DeleteAlias then CreateAlias. Asymmetric keys of different families (RSA, ECC, ML-DSA)
    /// count as one type. AWS does not document the error code; Keyhaven answers ValidationException.
    /// </summary>
    // spec: kms/2014-11-01 UpdateAlias ("The current and new KMS key must be the same type … and they must have the same key usage.")
    private static void EnsureSameKind(string aliasName, KmsKey? current, KmsKey next)
    {
        // INVARIANT: an alias's key exists while the alias does (deleting a key deletes its aliases); a missing one restricts nothing.
        if (current is null)
        {
            return;
        }

        if (TypeOf(current.Spec) != TypeOf(next.Spec) || current.Usage != next.Usage)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                $"Alias `{aliasName}` points to a {TypeOf(current.Spec)} key with key usage `{KeySpecRules.UsageName(current.Usage)}`; "
                + $"UpdateAlias can move it only to a key of the same type and usage, and `{next.Arn}` is a {TypeOf(next.Spec)} key with key usage `{KeySpecRules.UsageName(next.Usage)}`. "
                + "Delete the alias and create it again to point it at that key.");
        }
    }

    private static string TypeOf(KeySpec spec) =>
        KeySpecRules.IsHmac(spec) ? "HMAC" : KeySpecRules.IsAsymmetric(spec) ? "asymmetric" : "symmetric";

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

    /// <summary>
    /// Lists aliases of the caller's account and region, all or only those of one key of that account (a key ARN of
    /// another account answers NotFoundException). Authorized on the account alone (kms:ListAliases is an IAM permission);
    /// the key is a filter.
    /// </summary>
    public async Task<Page<Alias>> ListAsync(KmsCaller caller, string? keyId, int limit, string? marker, CancellationToken cancellationToken)
    {
        if (marker is not null && !AliasName.HasValidSyntax(marker))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidMarkerException, $"Marker `{marker}` is not one this service returned.");
        }

        // spec: kms/2014-11-01 ListAliases ("Cross-account use: No"; KeyId: "Enter a KMS key in your Amazon Web Services account.")
        KmsKey? key = keyId is null ? null : await resolver.ResolveOwnAsync(caller, keyId, allowAlias: false, cancellationToken);
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
