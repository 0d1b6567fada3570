namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Chooses the branch key for a message from its encryption context (e.g. one branch key per tenant). Must be safe
/// to call concurrently.
/// spec: framework/aws-kms/aws-kms-hierarchical-keyring.md#branch-key-supplier
/// </summary>
public interface IBranchKeyIdSupplier
{
    string GetBranchKeyId(IReadOnlyDictionary<string, string> encryptionContext);
}
