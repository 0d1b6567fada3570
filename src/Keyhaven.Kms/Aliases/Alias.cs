using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Aliases;

/// <summary>A friendly name (<c>alias/…</c>) for a key in one account and region.</summary>
public sealed record Alias(string Name, AccountId Account, string Region, KeyId TargetKeyId, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt)
{
    public string Arn => KeyArn.ForAlias(Region, Account, Name);

    /// <summary>The record's version in storage, for optimistic concurrency.</summary>
    public long StoreVersion { get; init; }
}
