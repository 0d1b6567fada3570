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

    public string Region { get; init; } = "us-east-1";

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

    public string ResolvedRootKeyPath => RootKeyPath ?? Path.Combine(DataDirectory, "root.key");

    public string DatabasePath => Path.Combine(DataDirectory, "keyhaven.db");

    public StorageLocation ResolvedStorage => Storage ?? StorageLocation.FromSqlitePath(DatabasePath);

    public string CredentialsPath => Path.Combine(DataDirectory, "credentials");

    /// <summary>Parses <c>HOST:PORT</c> (IPv6 in brackets).</summary>
    /// <exception cref="FormatException">Not an address and port.</exception>
    public static IPEndPoint ParseListen(string text) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 || text.EndsWith(":0", StringComparison.Ordinal) && IPEndPoint.TryParse(text, out endpoint)
            ? endpoint
            : throw new FormatException($"`{text}` is not an address and port such as 127.0.0.1:4599.");
}
