using Keyhaven.Audit.Reading;
using Keyhaven.Identity;
using Keyhaven.Kms;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Network;
using Keyhaven.Storage.Records;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyhaven.Server.Governance;

/// <summary>
/// Governance analysis of a deployment's keys and policies: external access, who can use a key, separation of duties,
/// policy validation and compliance rules. The same analysis serves <c>keyhaven analyze</c> (over a data directory)
/// and the server's <c>KeyhavenGovernance</c> API. "Can use" always means: the server's own authorization
/// (<see cref="KmsAuthorizer"/>) allows it. Each call reads the store afresh; safe to call concurrently.
/// </summary>
public sealed class GovernanceAnalysis
{
    private readonly KmsDomain _kms;
    private readonly IdentityStore _identity;
    private readonly KmsAuthorizer _authorizer;
    private readonly AuditReader _audit;
    private readonly Func<NetworkConfiguration> _network;
    private readonly TimeProvider _time;

    internal GovernanceAnalysis(KmsDomain kms, IdentityStore identity, KmsAuthorizer authorizer, AuditReader audit, Func<NetworkConfiguration> network, TimeProvider time)
    {
        _kms = kms;
        _identity = identity;
        _authorizer = authorizer;
        _audit = audit;
        _network = network;
        _time = time;
    }

    /// <summary>
    /// The analysis of a store opened outside a server (the CLI): the same domain, identity store and authorizer the
    /// server builds, over <paramref name="store"/>. <paramref name="network"/> gives the federated group mappings.
    /// </summary>
    public static GovernanceAnalysis Open(RecordStore store, NetworkConfiguration? network = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        network ??= new NetworkConfiguration();
        var identity = new IdentityStore(store);
        var kms = new KmsDomain(store, new KmsEnvironment(time, KmsEnvironment.System.Random), policyPrincipals: new IdentityKeyPolicyPrincipals(identity));
        var compilation = new PolicyCompilation();
        var state = new NetworkState(network, new VpcEndpointPolicyStore(store), time, NullLogger<NetworkState>.Instance);
        var authorizer = new KmsAuthorizer(kms, new IdentityStorePolicySource(identity), identity.Organizations, compilation,
            new VpcEndpointPolicies(state, compilation), time);
        return new GovernanceAnalysis(kms, identity, authorizer, new AuditReader(store), () => network, time);
    }

    /// <summary>Runs the analyzers <paramref name="options"/> names; findings most severe first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A day count is outside 1 to <see cref="GovernanceOptions.MaxDays"/>.</exception>
    public async Task<GovernanceReport> AnalyzeAsync(GovernanceOptions options, CancellationToken cancellationToken = default)
    {
        foreach (var (days, name) in new[] { (options.UnusedDays, "unusedDays"), (options.RecentUseDays, "recentUseDays") })
        {
            if (days is < 1 or > GovernanceOptions.MaxDays)
            {
                throw new ArgumentOutOfRangeException(name, days, $"`{name}` must be between 1 and {GovernanceOptions.MaxDays}, not {days}.");
            }
        }

        var now = _time.GetUtcNow();
        var inventory = await GovernanceInventory.ReadAsync(_kms, _identity, _network(), now, cancellationToken);
        bool InScope(string account) => options.Accounts is null || options.Accounts.Contains(account);
        var keys = inventory.Keys.Where(k => InScope(k.Account.Value)).ToList();
        var access = new KeyAccessAnalyzer(_authorizer);
        var findings = new List<Finding>();
        if (options.Analyzers.HasFlag(GovernanceAnalyzers.ExternalAccess))
        {
            findings.AddRange(keys.SelectMany(k => ExternalAccessAnalyzer.Analyze(inventory, k)));
        }

        if (options.Analyzers.HasFlag(GovernanceAnalyzers.SeparationOfDuties))
        {
            foreach (var key in keys.Where(k => k.State is not (KeyState.PendingDeletion or KeyState.PendingReplicaDeletion)))
            {
                findings.AddRange(await SeparationOfDutiesAnalyzer.AnalyzeAsync(inventory, access, key, InScope, cancellationToken));
            }
        }

        if (options.Analyzers.HasFlag(GovernanceAnalyzers.PolicyValidation))
        {
            findings.AddRange(PolicyValidationAnalyzer.Analyze(inventory, InScope));
        }

        if (options.Analyzers.HasFlag(GovernanceAnalyzers.Compliance))
        {
            var activity = await AuditActivity.ReadAsync(_audit, now.AddDays(-Math.Max(options.UnusedDays, options.RecentUseDays)), cancellationToken);
            findings.AddRange(await ComplianceAnalyzer.AnalyzeAsync(inventory, access, activity, options, InScope, now, cancellationToken));
        }

        return new GovernanceReport(now, findings
            .OrderBy(f => f.Severity).ThenBy(f => f.Rule, StringComparer.Ordinal).ThenBy(f => f.Resource, StringComparer.Ordinal)
            .ThenBy(f => f.Principal, StringComparer.Ordinal).ThenBy(f => f.Statement, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Who can perform <paramref name="action"/> on the key <paramref name="keyId"/> (a key id or ARN): every known
    /// principal of <paramref name="accounts"/>, allowed, allowed only under conditions, or denied, with the reason.
    /// </summary>
    /// <param name="accounts">
    /// Only a key of these accounts is found, and only their principals are listed (another tenant's users and roles,
    /// and what their policies allow, are not the caller's to see); null for any.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="action"/> is not <c>kms:Operation</c>.</exception>
    /// <exception cref="KeyNotFoundException">No such key (in <paramref name="accounts"/>).</exception>
    public async Task<KeyAccessReport> WhoCanUseAsync(string keyId, string action, IReadOnlySet<string>? accounts = null, CancellationToken cancellationToken = default)
    {
        if (!IsKmsAction(action))
        {
            throw new ArgumentException($"`{action}` is not a KMS action: expected kms:Operation, e.g. kms:Decrypt.", nameof(action));
        }

        var inventory = await GovernanceInventory.ReadAsync(_kms, _identity, _network(), _time.GetUtcNow(), cancellationToken);
        var matches = inventory.Keys.Where(k => (k.Arn == keyId || k.Id.ToString() == keyId) && (accounts is null || accounts.Contains(k.Account.Value))).ToList();
        if (matches.Count != 1)
        {
            throw new KeyNotFoundException(matches.Count == 0 ? $"Key `{keyId}` does not exist." : $"Key id `{keyId}` names keys in several accounts or regions: give its ARN.");
        }

        var key = matches[0];
        var analyzer = new KeyAccessAnalyzer(_authorizer);
        var entries = new List<KeyAccessEntry>();
        foreach (var principal in inventory.Principals.Where(p => accounts is null || accounts.Contains(p.Account)))
        {
            entries.Add(await analyzer.EvaluateAsync(principal, key, action, cancellationToken));
        }

        return new KeyAccessReport(key.Arn, action, entries);
    }

    private static bool IsKmsAction(string action) =>
        action.Length is > 4 and <= 128 && action.StartsWith("kms:", StringComparison.Ordinal) && action[4..].All(char.IsAsciiLetter);
}
