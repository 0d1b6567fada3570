using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Aliases;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Import;
using Keyhaven.Kms.Infrastructure;

namespace Keyhaven.Kms.Keys;

/// <summary>
/// Turns the identifiers a caller may give (key id, key ARN, alias name, alias ARN) into a key, as AWS KMS resolves
/// them: ids and alias names are looked up in the caller's account and region, ARNs where they point (another account,
/// never another region).
/// </summary>
public sealed class KeyResolver(KeyRepository keys, AliasRepository aliases, KmsEnvironment environment)
{
    /// <summary>The longest key identifier the model's KeyIdType allows.</summary>
    public const int MaxKeyIdLength = 2048;

    /// <param name="allowAlias">False for operations that AWS documents as taking only a key id or key ARN.</param>
    /// <exception cref="KmsException">ValidationException for an empty id or one over 2048 characters; NotFoundException for malformed ids and for keys or aliases that do not exist.</exception>
    public async ValueTask<KmsKey> ResolveAsync(KmsCaller caller, string? identifier, bool allowAlias, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(identifier))
        {
            KmsErrors.Validation("keyId", "Member must have length greater than or equal to 1");
        }

        // spec: kms/2014-11-01 KeyIdType ("min": 1, "max": 2048)
        if (identifier.Length > MaxKeyIdLength)
        {
            KmsErrors.Validation("keyId", $"Member must have length less than or equal to {MaxKeyIdLength}");
        }

        var account = caller.Account;
        var region = caller.Region;
        var resource = identifier;
        if (identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (!KeyArn.TryParse(identifier, out region, out account, out resource))
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"Invalid arn `{identifier}`.");
            }

            // AWS: keys are regional; a request reaches only the keys of its own region, whatever the ARN says.
            if (region != caller.Region)
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"Invalid arn `{identifier}`: it names region `{region}`, and this request is for `{caller.Region}`.");
            }

            if (resource.StartsWith("key/", StringComparison.Ordinal))
            {
                resource = resource["key/".Length..];
            }
            else if (!resource.StartsWith(AliasName.Prefix, StringComparison.Ordinal))
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"Invalid arn `{identifier}`.");
            }
        }

        if (resource.StartsWith(AliasName.Prefix, StringComparison.Ordinal))
        {
            if (!allowAlias)
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"Invalid keyId `{identifier}`: this operation takes a key id or key ARN, not an alias.");
            }

            var alias = await aliases.FindAsync(account, region, resource, cancellationToken)
                ?? KmsErrors.Throw<Alias>(KmsErrorCode.NotFoundException, $"Alias `{KeyArn.ForAlias(region, account, resource)}` is not found.");
            return await FindAsync(account, region, alias.TargetKeyId, cancellationToken);
        }

        if (!KeyId.TryParse(resource, out var keyId))
        {
            KmsErrors.Throw(KmsErrorCode.NotFoundException, $"Invalid keyId `{identifier}`.");
        }

        return await FindAsync(account, region, keyId, cancellationToken);
    }

    /// <summary>
    /// <see cref="ResolveAsync"/> for operations whose model says "Cross-account use: No": a key ARN of another account
    /// answers NotFoundException without being looked up, so the answer says nothing of that account's keys.
    /// </summary>
    public ValueTask<KmsKey> ResolveOwnAsync(KmsCaller caller, string? identifier, bool allowAlias, CancellationToken cancellationToken)
    {
        if (identifier is not null && identifier.StartsWith("arn:", StringComparison.Ordinal)
            && KeyArn.TryParse(identifier, out _, out var account, out _) && account != caller.Account)
        {
            KmsErrors.Throw(KmsErrorCode.NotFoundException,
                $"Key `{identifier}` is not in account `{caller.Account}`: this operation reaches only keys of the caller's own account.");
        }

        return ResolveAsync(caller, identifier, allowAlias, cancellationToken);
    }

    /// <summary>Finds a key by its exact identity, as it stands now (imported material that expired is gone: <see cref="ImportedMaterial.AsOf"/>).</summary>
    public async ValueTask<KmsKey> FindAsync(AccountId account, string region, KeyId keyId, CancellationToken cancellationToken) =>
        ImportedMaterial.AsOf(await keys.FindAsync(account, region, keyId, cancellationToken)
            ?? KmsErrors.Throw<KmsKey>(KmsErrorCode.NotFoundException, $"Key `{KeyArn.ForKey(region, account, keyId)}` does not exist."), environment.Now);
}
