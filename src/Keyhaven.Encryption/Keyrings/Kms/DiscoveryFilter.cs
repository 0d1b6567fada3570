namespace Keyhaven.Encryption.Keyrings.Kms;

/// <summary>Limits a discovery keyring to KMS keys of these accounts in this partition (spec: framework/aws-kms/aws-kms-discovery-keyring.md).</summary>
public sealed record DiscoveryFilter
{
    public DiscoveryFilter(string partition, IReadOnlyCollection<string> accountIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(partition);
        ArgumentNullException.ThrowIfNull(accountIds);
        if (accountIds.Count == 0 || accountIds.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A discovery filter names at least one account, and no empty account id.", nameof(accountIds));
        }

        Partition = partition;
        AccountIds = accountIds;
    }

    public string Partition { get; }

    public IReadOnlyCollection<string> AccountIds { get; }

    public bool Allows(KmsKeyArn arn) => arn.Partition == Partition && AccountIds.Contains(arn.Account);
}
