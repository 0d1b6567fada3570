using System.Net;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Server.Hosting;

/// <summary>How to run a Keyhaven server. Every member has a default fit for a first run on one machine.</summary>
public sealed record KeyhavenServerOptions
{
    public string DataDirectory { get; init; } = "./keyhaven-data";

    /// <summary>Where the root key lives; defaults to <c>root.key</c> inside <see cref="DataDirectory"/>.</summary>
    public string? RootKeyPath { get; init; }

    /// <summary>Where the records live; null: the SQLite database <see cref="DatabasePath"/> in the data directory.</summary>
    /// <remarks>Several nodes share one PostgreSQL database; each needs the same root key file.</remarks>
    public StorageLocation? Storage { get; init; }

    /// <summary>Address and port to listen on; port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 4599);

    /// <summary>
    /// The AWS regions this deployment answers for (the region of a request is the one its SigV4 credential scope
    /// names); the first is the default (bootstrap credentials file, events of unsigned requests). Keys are regional:
    /// each lives in one of these regions. See docs/kms-api.md#multi-region-keys.
    /// </summary>
    public IReadOnlyList<string> Regions { get; init; } = ["us-east-1"];

    /// <summary>The default region: the first of <see cref="Regions"/>.</summary>
    public string Region => Regions[0];

    /// <summary>VPCs, VPC endpoints, instance metadata and federation mappings (<c>serve --config</c>); empty by default.</summary>
    public Network.NetworkConfiguration Network { get; init; } = new();

    /// <summary>How often due rotations and deletions are looked for.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a signed digest of the audit trail is written (one is also written on shutdown).</summary>
    public TimeSpan AuditDigestInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// SHA-256 fingerprints of development attestation roots (<c>keyhaven enclave init</c>) whose documents Recipient
    /// accepts besides real Nitro ones. Empty unless the operator asks (<c>--trust-dev-attestation-root</c>).
    /// </summary>
    public IReadOnlyList<string> TrustedDevelopmentAttestationRoots { get; init; } = [];

    public IRandomSource Random { get; init; } = SystemRandomSource.Instance;

    /// <summary>
    /// Most instance-metadata session tokens alive at once (all workloads together); a token request beyond it, once
    /// expired tokens are swept, is refused with 503 until tokens expire.
    /// </summary>
    public int InstanceMetadataMaxTokens { get; init; } = 10_000;

    public string ResolvedRootKeyPath => RootKeyPath ?? Path.Combine(DataDirectory, "root.key");

    public string DatabasePath => Path.Combine(DataDirectory, "keyhaven.db");

    public StorageLocation ResolvedStorage => Storage ?? StorageLocation.FromSqlitePath(DatabasePath);

    public string CredentialsPath => Path.Combine(DataDirectory, "credentials");

    /// <summary>Parses a comma-separated list of region names (<c>us-east-1,eu-west-1</c>); the first is the default.</summary>
    /// <exception cref="FormatException">Empty, a name that is not a region name, or a name given twice.</exception>
    public static IReadOnlyList<string> ParseRegions(string text)
    {
        var regions = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (regions.Length == 0)
        {
            throw new FormatException("Name at least one region, such as us-east-1.");
        }

        foreach (var region in regions)
        {
            if (region.Length > 32 || !System.Text.RegularExpressions.Regex.IsMatch(region, @"^([a-z]+-){2,3}\d+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            {
                throw new FormatException($"`{region}` is not a region name such as us-east-1.");
            }
        }

        if (regions.Distinct(StringComparer.Ordinal).Count() != regions.Length)
        {
            throw new FormatException($"A region is named twice in `{text}`.");
        }

        return regions;
    }

    /// <summary>Parses <c>HOST:PORT</c> (IPv6 in brackets).</summary>
    /// <exception cref="FormatException">Not an address and port.</exception>
    public static IPEndPoint ParseListen(string text) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 || text.EndsWith(":0", StringComparison.Ordinal) && IPEndPoint.TryParse(text, out endpoint)
            ? endpoint
            : throw new FormatException($"`{text}` is not an address and port such as 127.0.0.1:4599.");
}
