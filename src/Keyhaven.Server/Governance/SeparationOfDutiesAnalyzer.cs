using Keyhaven.Kms.Keys;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Separation of duties: principals that the real evaluation allows (unconditionally or under conditions) both to
/// administer a key and to use it. Account roots are left out: the default key policy gives them everything, and they
/// are the break-glass principal, not a working identity.
/// </summary>
internal static class SeparationOfDutiesAnalyzer
{
    /// <summary>
    /// Administrative actions: changing who may use the key (its policy, grants, a replica with a policy of its own), or
    /// making it unusable or usable again (deletion and its cancellation, disabling and enabling, deleting or importing
    /// its material), as the key administrators' statement of AWS's default key policy covers them.
    /// </summary>
    public static readonly IReadOnlyList<string> AdministerActions =
    [
        "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant", "kms:ReplicateKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
        "kms:DisableKey", "kms:EnableKey", "kms:DeleteImportedKeyMaterial", "kms:ImportKeyMaterial",
    ];

    /// <summary>The actions that use a key of <paramref name="usage"/>: every operation that turns the key into data or a result.</summary>
    public static IReadOnlyList<string> UseActions(KeyUsage usage) => usage switch
    {
        KeyUsage.SignVerify => ["kms:Sign"],
        KeyUsage.GenerateVerifyMac => ["kms:GenerateMac", "kms:VerifyMac"],
        KeyUsage.KeyAgreement => ["kms:DeriveSharedSecret"],
        _ => ["kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
            "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"],
    };

    /// <param name="inScope">Whether a principal's account is the caller's to see (another tenant's principals are left out).</param>
    public static async Task<List<Finding>> AnalyzeAsync(GovernanceInventory inventory, KeyAccessAnalyzer access, KmsKey key, Func<string, bool> inScope,
        CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        foreach (var principal in inventory.Principals.Where(p => !p.IsRoot && inScope(p.Account)))
        {
            var administers = new List<KeyAccessEntry>();
            foreach (var action in AdministerActions)
            {
                if (await access.EvaluateAsync(principal, key, action, cancellationToken) is { CanUse: true } entry)
                {
                    administers.Add(entry with { Reason = action });
                }
            }

            if (administers.Count == 0)
            {
                continue;
            }

            var uses = new List<KeyAccessEntry>();
            foreach (var action in UseActions(key.Usage))
            {
                if (await access.EvaluateAsync(principal, key, action, cancellationToken) is { CanUse: true } entry)
                {
                    uses.Add(entry with { Reason = action });
                }
            }

            if (uses.Count == 0)
            {
                continue;
            }

            var conditional = administers.Concat(uses).Any(e => e.Outcome == KeyAccessOutcome.AllowedWithConditions);
            var statements = administers.Concat(uses).Select(e => e.Statement is null ? e.Layer : $"{e.Layer} {e.Statement}").Distinct(StringComparer.Ordinal);
            findings.Add(Finding.Create(FindingRules.SeparationOfDuties, conditional ? FindingSeverity.Medium : FindingSeverity.High, key.Arn, principal.Display,
                string.Join("; ", statements),
                $"`{principal.Display}` can both administer this key ({string.Join(", ", administers.Select(e => e.Reason))}) and use it " +
                $"({string.Join(", ", uses.Select(e => e.Reason))})" + (conditional ? ", some only under conditions." : "."),
                "Give key administration and key use to different principals: remove the use actions from the administrator's policies (or the key policy statement that grants them), or the administrative ones from the user's."));
        }

        return findings;
    }
}
