using Keyhaven.Kms.Keys;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Separation of duties: principals that the real evaluation allows (unconditionally or under conditions) both to
/// administer a key and to use it. Account roots are left out: the default key policy gives them everything, and they
/// are the break-glass principal, not a working identity.
/// </summary>
internal static class SeparationOfDutiesAnalyzer
{
    /// <summary>Administrative actions: changing who may use the key, or destroying it.</summary>
    public static readonly IReadOnlyList<string> AdministerActions =
        ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:DisableKey"];

    /// <summary>The actions that use a key of <paramref name="usage"/>.</summary>
    public static IReadOnlyList<string> UseActions(KeyUsage usage) => usage switch
    {
        KeyUsage.SignVerify => ["kms:Sign"],
        KeyUsage.GenerateVerifyMac => ["kms:GenerateMac"],
        KeyUsage.KeyAgreement => ["kms:DeriveSharedSecret"],
        _ => ["kms:Decrypt", "kms:GenerateDataKey"],
    };

    public static async Task<List<Finding>> AnalyzeAsync(GovernanceInventory inventory, KeyAccessAnalyzer access, KmsKey key, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        foreach (var principal in inventory.Principals.Where(p => !p.IsRoot))
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
