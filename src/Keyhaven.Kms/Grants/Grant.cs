using System.Collections.Immutable;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Grants;

/// <summary>
/// A grant on one KMS key, as stored: plain immutable data. Maps one-to-one onto the policy engine's
/// <c>KmsGrant(GrantId, KeyArn, GranteePrincipal, Operations, Constraints)</c> through <see cref="Id"/>,
/// <see cref="KeyArn"/>, <see cref="GranteePrincipal"/>, <see cref="OperationNames"/> and <see cref="Constraints"/>.
/// </summary>
public sealed record Grant
{
    public required GrantId Id { get; init; }
    public required AccountId Account { get; init; }
    public required string Region { get; init; }
    public required KeyId KeyId { get; init; }
    public string? Name { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string GranteePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public required ImmutableArray<GrantOperation> Operations { get; init; }
    public GrantConstraints? Constraints { get; init; }

    /// <summary>
    /// The per-grant secret that authenticates its tokens (HMAC-SHA256 key). Secret: sealed at rest with the record,
    /// never returned, logged or printed (internal, so records' generated <c>ToString</c> leaves it out).
    /// </summary>
    internal byte[] TokenKey { get; init; } = [];

    /// <summary>The stored record's version, for optimistic concurrency.</summary>
    public long StoreVersion { get; init; }

    public string KeyArn => Keys.KeyArn.ForKey(Region, Account, KeyId);

    /// <summary>The account that issued the grant, as AWS reports it: <c>arn:aws:iam::ACCOUNT:root</c>.</summary>
    public string IssuingAccount => $"arn:aws:iam::{Account}:root";

    /// <summary>The operations by their wire names (<c>Decrypt</c>, <c>GenerateDataKey</c>…), as the policy engine takes them.</summary>
    public IReadOnlyList<string> OperationNames => [.. Operations.Select(o => o.ToString())];

    /// <summary>Whether a CreateGrant with these parameters is a retry of the one that made this grant (AWS's Name idempotency).</summary>
    internal bool HasSameParameters(string? name, string granteePrincipal, string? retiringPrincipal, ImmutableArray<GrantOperation> operations,
        GrantConstraints? constraints) =>
        name is not null
        && string.Equals(Name, name, StringComparison.Ordinal)
        && string.Equals(GranteePrincipal, granteePrincipal, StringComparison.Ordinal)
        && string.Equals(RetiringPrincipal, retiringPrincipal, StringComparison.Ordinal)
        && Operations.Length == operations.Length && Operations.All(operations.Contains)
        && GrantConstraints.AreSame(Constraints, constraints);
}
