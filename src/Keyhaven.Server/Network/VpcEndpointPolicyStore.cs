using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Server.Network;

/// <summary>
/// The effective policy of every VPC endpoint, kept in the store (sealed like every record) so that every node and
/// every restart agree, with where it came from. Precedence: a policy changed in the configuration file wins when the
/// file is (re)loaded; otherwise the stored policy stays in force, across restarts too (the rule a runtime API such as
/// EC2 <c>ModifyVpcEndpoint</c> will write under: it is not served yet). Each record
/// remembers the hash of the configuration's policy it last saw, which is how a changed file is told from an unchanged
/// one. Cached in memory and refreshed after each committed write. Thread-safe.
/// </summary>
internal sealed class VpcEndpointPolicyStore(RecordStore store)
{
    private const string Table = "vpc-endpoints";
    private volatile Dictionary<string, EndpointPolicyRecord> _cache = new(StringComparer.Ordinal);

    /// <summary>The endpoint's effective policy, or null for full access.</summary>
    public string? GetPolicy(string endpointId) => _cache.TryGetValue(endpointId, out var record) ? record.Policy : null;

    /// <summary>
    /// Brings the stored policies in line with <paramref name="configuration"/>: an endpoint whose configured policy
    /// differs from the one last seen gets the configured policy; others keep theirs. Returns the endpoints changed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyConfigurationAsync(NetworkConfiguration configuration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await store.WriteAsync(async transaction =>
        {
            var changed = new List<string>();
            foreach (var endpoint in configuration.VpcEndpoints)
            {
                var key = new StorageKey(Table, endpoint.Id);
                var existing = await transaction.GetAsync(key, cancellationToken);
                var hash = Hash(endpoint.Policy);
                var stored = existing is null ? null : JsonSerializer.Deserialize(existing.Value, EndpointPolicyJsonContext.Default.EndpointPolicyRecord);
                if (stored is not null && stored.ConfigPolicyHash == hash)
                {
                    continue;
                }

                var record = new EndpointPolicyRecord { Policy = endpoint.Policy, Source = "config", ConfigPolicyHash = hash, ChangedAt = now };
                await transaction.PutAsync(key, existing?.Version ?? 0, JsonSerializer.SerializeToUtf8Bytes(record, EndpointPolicyJsonContext.Default.EndpointPolicyRecord), cancellationToken);
                changed.Add(endpoint.Id);
            }

            return changed;
        }, cancellationToken);
        await RefreshAsync(configuration, cancellationToken);
        return changed;
    }

    private async Task RefreshAsync(NetworkConfiguration configuration, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, EndpointPolicyRecord>(StringComparer.Ordinal);
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        foreach (var endpoint in configuration.VpcEndpoints)
        {
            if (await transaction.GetAsync(new StorageKey(Table, endpoint.Id), cancellationToken) is { } record)
            {
                fresh[endpoint.Id] = JsonSerializer.Deserialize(record.Value, EndpointPolicyJsonContext.Default.EndpointPolicyRecord)!;
            }
        }

        _cache = fresh;
    }

    private static string Hash(string? policy) =>
        policy is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(policy)));
}

/// <summary>One endpoint's stored policy.</summary>
internal sealed class EndpointPolicyRecord
{
    /// <summary>The policy document; null means full access (AWS's default endpoint policy).</summary>
    public string? Policy { get; set; }

    /// <summary>Where the policy came from: <c>config</c> (the configuration file) is the only source yet.</summary>
    public string Source { get; set; } = "config";

    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>SHA-256 of the configuration's policy when this record was last reconciled with the file.</summary>
    public string ConfigPolicyHash { get; set; } = "";
}

[JsonSerializable(typeof(EndpointPolicyRecord))]
internal sealed partial class EndpointPolicyJsonContext : JsonSerializerContext;
