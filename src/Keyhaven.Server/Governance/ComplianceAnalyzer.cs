using System.Globalization;
using Keyhaven.Identity.Inventory;
using Keyhaven.Kms.Keys;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Matching;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Compliance rules in the manner of AWS Config's managed rules: symmetric keys without automatic rotation, keys
/// pending deletion that were used recently, identity policies that allow every KMS action on every key (<c>kms:*</c>
/// on <c>*</c>, or as wide), key policies that
/// let no principal administer the key, grants without constraints, and keys and roles with no audit event for a while.
/// </summary>
internal static class ComplianceAnalyzer
{
    public static async Task<List<Finding>> AnalyzeAsync(GovernanceInventory inventory, KeyAccessAnalyzer access, AuditActivity activity, GovernanceOptions options,
        Func<string, bool> inScope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        var unusedSince = now.AddDays(-options.UnusedDays);
        var recentSince = now.AddDays(-options.RecentUseDays);
        foreach (var key in inventory.Keys.Where(k => inScope(k.Account.Value)))
        {
            if (key.Spec == KeySpec.SymmetricDefault && key.Origin == KeyOrigin.AwsKms && key.State is KeyState.Enabled or KeyState.Disabled && !key.RotationEnabled)
            {
                findings.Add(Finding.Create(FindingRules.RotationDisabled, FindingSeverity.Medium, key.Arn, null, null,
                    "This symmetric key has no automatic rotation.", "Enable automatic rotation (EnableKeyRotation); old versions keep decrypting."));
            }

            if (key.State is KeyState.PendingDeletion or KeyState.PendingReplicaDeletion && activity.LastKeyUse(key.Arn) is { } lastUse && lastUse >= recentSince)
            {
                var when = key.DeletionDate is { } date ? "on " + Time(date) : $"{key.PendingWindowInDays} days after its last replica is deleted";
                findings.Add(Finding.Create(FindingRules.PendingDeletionInUse, FindingSeverity.High, key.Arn, null, null,
                    $"This key is scheduled for deletion {when} but was used (or someone tried to use it) on {Time(lastUse)}, within the last {options.RecentUseDays} days.",
                    "Cancel the deletion (CancelKeyDeletion) until nothing depends on the key: once deleted, what it encrypted cannot be decrypted."));
            }

            var administrators = 0;
            foreach (var principal in inventory.Principals)
            {
                if ((await access.EvaluateAsync(principal, key, "kms:PutKeyPolicy", cancellationToken)).CanUse)
                {
                    administrators++;
                    break;
                }
            }

            if (administrators == 0)
            {
                findings.Add(Finding.Create(FindingRules.NoKeyAdministrator, FindingSeverity.High, key.Arn, null, "key-policy",
                    "No known principal, the account root included, may change this key's policy (kms:PutKeyPolicy).",
                    "Restore an administrator: the key policy should allow the account (`arn:aws:iam::ACCOUNT:root`) or a key administrator role kms:PutKeyPolicy."));
            }

            if (key.Usage == KeyUsage.EncryptDecrypt && key.Spec == KeySpec.SymmetricDefault)
            {
                foreach (var grant in inventory.Grants.GetValueOrDefault(key.Arn, []).Where(g => g.Constraints is null))
                {
                    findings.Add(Finding.Create(FindingRules.UnconstrainedGrant, FindingSeverity.Low, key.Arn, grant.GranteePrincipal, "grant:" + grant.Id.Value,
                        $"Grant `{grant.Id.Value}` gives `{grant.GranteePrincipal}` {string.Join(", ", grant.OperationNames)} with any encryption context.",
                        "Recreate the grant with an EncryptionContextEquals or EncryptionContextSubset constraint, so it covers only the data it is for."));
                }
            }

            if (key.State == KeyState.Enabled && key.CreatedAt <= unusedSince && (activity.LastEvent(key.Arn) is not { } lastEvent || lastEvent < unusedSince))
            {
                findings.Add(Finding.Create(FindingRules.UnusedKey, FindingSeverity.Low, key.Arn, null, null,
                    $"No audit event names this key in the last {options.UnusedDays} days.",
                    "If nothing needs it, disable it, then schedule its deletion once you are sure."));
            }
        }

        foreach (var policy in inventory.Identity.Policies.Where(p => p.Kind != StoredPolicyKind.Trust && inScope(p.Account)))
        {
            if (PolicyParser.Parse(policy.Document).Document is not { } document)
            {
                continue; // the policy validation analyzer reports it
            }

            for (var i = 0; i < document.Statements.Count; i++)
            {
                var statement = document.Statements[i];
                if (statement.Effect == PolicyEffect.Allow && AllowsEveryKmsAction(statement) && CoversEveryKey(statement))
                {
                    var reference = $"{policy.Name}#{statement.Sid ?? i.ToString(CultureInfo.InvariantCulture)}";
                    findings.Add(Finding.Create(FindingRules.FullKmsAccess, statement.Conditions.Count == 0 ? FindingSeverity.High : FindingSeverity.Medium,
                        policy.Owner, policy.Kind == StoredPolicyKind.Managed ? null : policy.Owner, reference,
                        $"Statement `{reference}` allows every KMS action on every key" + (statement.Conditions.Count == 0 ? "." : " (under conditions)."),
                        "Allow only the KMS actions the principal needs, on the keys it needs (key ARNs, or a condition on kms:ResourceAliases or aws:ResourceTag)."));
                }
            }
        }

        foreach (var role in inventory.Identity.Roles.Where(r => inScope(GovernanceInventory.AccountOf(r.Arn))))
        {
            if (role.CreateDate <= unusedSince && (activity.LastEvent(role.Arn) is not { } roleEvent || roleEvent < unusedSince))
            {
                findings.Add(Finding.Create(FindingRules.UnusedRole, FindingSeverity.Low, role.Arn, role.Arn, null,
                    $"No session of this role made a request, and no request named it, in the last {options.UnusedDays} days.",
                    "If nothing needs the role, delete it (or remove its permissions) so its trust policy cannot be used."));
            }
        }

        return findings;
    }

    // Stand-ins for "any KMS action" and "any key": a pattern that matches these made-up names, with their unlikely region,
    // account and operation, matches every one (matched as the policy engine matches Action and Resource entries).
    private static readonly string[] AnyKmsAction = ["kms:Decrypt", "kms:PutKeyPolicy", "kms:ZzKeyhavenAnyOperation"];
    private static readonly string[] AnyKey =
        ["arn:aws:kms:zz-keyhaven-9:000000000000:key/00000000-0000-0000-0000-000000000000", "arn:aws:kms:yy-other-1:999999999999:key/mrk-0123456789abcdef0123456789abcdef"];

    /// <summary>Action <c>*</c>, <c>kms:*</c> or any pattern as wide; or NotAction that leaves every KMS action in.</summary>
    private static bool AllowsEveryKmsAction(PolicyStatement statement) =>
        statement.Action is { } actions ? actions.Any(a => AnyKmsAction.All(name => PolicyPatterns.MatchesAction(a, name)))
        : statement.NotAction is { } excluded && !excluded.Any(a => AnyKmsAction.Any(name => PolicyPatterns.MatchesAction(a, name)));

    /// <summary>Resource <c>*</c>, <c>arn:aws:kms:*</c>, <c>arn:aws:kms:*:*:key/*</c> or any pattern as wide; or NotResource that leaves every key in.</summary>
    private static bool CoversEveryKey(PolicyStatement statement) =>
        statement.Resource is { } resources ? resources.Any(r => AnyKey.All(arn => PolicyPatterns.MatchesResource(r, arn)))
        : statement.NotResource is { } excluded && !excluded.Any(r => AnyKey.Any(arn => PolicyPatterns.MatchesResource(r, arn)));

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "?";
}
