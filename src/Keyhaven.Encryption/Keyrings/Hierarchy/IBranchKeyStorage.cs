namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// Where a <see cref="BranchKeyStore"/> keeps its items: get by (branch key id, type) and two conditional, atomic
/// writes. This replaces the DynamoDB table of the AWS implementation (see docs/encryption-sdk.md); storage is
/// untrusted, since every attribute is authenticated by KMS. Implementations must be safe to call concurrently.
/// spec: framework/branch-key-store.md#operations (the DynamoDB calls)
/// </summary>
public interface IBranchKeyStorage
{
    /// <summary>A name for error messages (e.g. the folder).</summary>
    string Name { get; }

    /// <summary>The item with this branch key id and type, or null.</summary>
    ValueTask<BranchKeyItem?> GetItemAsync(string branchKeyId, string type, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the items of a new branch key (all with the same branch key id) in one atomic step. Returns false,
    /// writing nothing, when any item with that branch key id exists.
    /// </summary>
    ValueTask<bool> TryWriteNewBranchKeyAsync(IReadOnlyList<BranchKeyItem> items, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="version"/> and replaces the ACTIVE item with <paramref name="active"/> in one atomic step,
    /// only if the stored ACTIVE item's <c>enc</c> still equals <paramref name="expectedActiveEnc"/>; returns false,
    /// writing nothing, otherwise (another writer versioned the key meanwhile).
    /// </summary>
    ValueTask<bool> TryWriteNewVersionAsync(BranchKeyItem version, BranchKeyItem active, ReadOnlyMemory<byte> expectedActiveEnc, CancellationToken cancellationToken = default);
}
