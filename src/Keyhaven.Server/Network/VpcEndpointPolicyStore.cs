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
/// file is (re)loaded; otherwise the stored policy stays in force, across restarts too, including one set at runtime
/// with EC2 <c>ModifyVpcEndpoint</c> (<see cref="SetAsync"/>). Each record remembers the hash of the configuration's
/// policy it last saw, which is how a changed file is told from an unchanged one. Records are cached in memory
/// (<see cref="RecordCache{T}"/>): refreshed after this node's writes and emptied when another node sharing the
/// storage commits, so every node enforces a change from its next request on. Thread-safe.
/// </summary>
internal sealed class VpcEndpointPolicyStore(RecordStore store)
{
    private const string Table = "vpc-endpoints";
    private readonly RecordCache<EndpointPolicyRecord> _cache = new(store.Changes);

    /// <summary>The endpoint's stored record, or null when none was ever stored for it.</summary>
    public async ValueTask<EndpointPolicyRecord?> GetAsync(string endpointId, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(endpointId, out var cached))
        {
            return cached;
        }

        var generation = _cache.Generation;
        await using var transaction = await store.BeginAsync(write: false, cancellationToken);
        if (await transaction.GetAsync(new StorageKey(Table, endpointId), cancellationToken) is not { } stored)
        {
            return null;
        }

        var record = Read(stored.Value);
        _cache.Populate(endpointId, record, generation);
        return record;
    }

    /// <summary>
    /// Brings the stored policies in line with <paramref name="configuration"/>: an endpoint whose configured policy
    /// differs from the one last seen gets the configured policy; others keep theirs. Returns the changes made.
    /// </summary>
    public async Task<IReadOnlyList<VpcEndpointPolicyChange>> ApplyConfigurationAsync(NetworkConfiguration configuration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var generation = _cache.Generation;
        var written = await store.WriteAsync(async transaction =>
        {
            var changes = new List<(VpcEndpointPolicyChange Change, EndpointPolicyRecord Record)>();
            foreach (var endpoint in configuration.VpcEndpoints)
            {
                var key = new StorageKey(Table, endpoint.Id);
                var existing = await transaction.GetAsync(key, cancellationToken);
                var hash = Hash(endpoint.Policy);
                var stored = existing is null ? null : Read(existing.Value);
                if (stored is not null && stored.ConfigPolicyHash == hash)
                {
                    continue;
                }

                var record = new EndpointPolicyRecord { Policy = endpoint.Policy, Source = EndpointPolicyRecord.ConfigSource, ConfigPolicyHash = hash, ChangedAt = now };
                await transaction.PutAsync(key, existing?.Version ?? 0, Write(record), cancellationToken);
                changes.Add((new VpcEndpointPolicyChange(endpoint.Id, stored?.Policy, endpoint.Policy, Created: stored is null), record));
            }

            return changes;
        }, cancellationToken);
        foreach (var (change, record) in written)
        {
            _cache.Store(change.EndpointId, record, generation);
        }

        return [.. written.Select(w => w.Change)];
    }

    /// <summary>
    /// Sets an endpoint's policy at runtime (EC2 <c>ModifyVpcEndpoint</c>); null is full access. The record keeps the
    /// hash of the configuration's policy, so the new policy stays in force until the file's policy changes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No record exists for the endpoint (it was never configured).</exception>
    public async Task<VpcEndpointPolicyChange> SetAsync(string endpointId, string? policy, string changedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var generation = _cache.Generation;
        var (change, record) = await store.WriteAsync(async transaction =>
        {
            var key = new StorageKey(Table, endpointId);
            var existing = await transaction.GetAsync(key, cancellationToken)
                ?? throw new InvalidOperationException($"VPC endpoint `{endpointId}` has no stored policy record.");
            var stored = Read(existing.Value);
            var record = new EndpointPolicyRecord
            {
                Policy = policy, Source = EndpointPolicyRecord.ApiSource, ChangedBy = changedBy, ConfigPolicyHash = stored.ConfigPolicyHash, ChangedAt = now,
            };
            await transaction.PutAsync(key, existing.Version, Write(record), cancellationToken);
            return (new VpcEndpointPolicyChange(endpointId, stored.Policy, policy, Created: false), record);
        }, cancellationToken);
        _cache.Store(endpointId, record, generation);
        return change;
    }

    private static EndpointPolicyRecord Read(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize(value, EndpointPolicyJsonContext.Default.EndpointPolicyRecord)
        ?? throw new InvalidDataException("A VPC endpoint policy record is not a JSON object.");

    private static byte[] Write(EndpointPolicyRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, EndpointPolicyJsonContext.Default.EndpointPolicyRecord);

    private static string Hash(string? policy) =>
        policy is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(policy)));
}

/// <summary>One endpoint's stored policy. Immutable once stored.</summary>
internal sealed class EndpointPolicyRecord
{
    public const string ConfigSource = "config";
    public const string ApiSource = "api";

    /// <summary>The policy document; null means full access (AWS's default endpoint policy).</summary>
    public string? Policy { get; init; }

    /// <summary>Where the policy came from: <c>config</c> (the configuration file) or <c>api</c> (ModifyVpcEndpoint).</summary>
    public string Source { get; init; } = ConfigSource;

    /// <summary>For <c>api</c>: the ARN of the caller that set it.</summary>
    public string? ChangedBy { get; init; }

    public DateTimeOffset ChangedAt { get; init; }

    /// <summary>SHA-256 of the configuration's policy when this record was last reconciled with the file.</summary>
    public string ConfigPolicyHash { get; init; } = "";
}

/// <summary>A change of one endpoint's effective policy (null: full access); <see cref="Created"/> when the endpoint had no record before.</summary>
internal sealed record VpcEndpointPolicyChange(string EndpointId, string? Before, string? After, bool Created);

[JsonSerializable(typeof(EndpointPolicyRecord))]
internal sealed partial class EndpointPolicyJsonContext : JsonSerializerContext;
