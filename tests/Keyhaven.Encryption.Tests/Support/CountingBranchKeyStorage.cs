using Keyhaven.Encryption.Keyrings.Hierarchy;

namespace Keyhaven.Encryption.Tests.Support;

/// <summary>A real branch key storage that counts reads (each read is followed by a KMS Decrypt).</summary>
internal sealed class CountingBranchKeyStorage(IBranchKeyStorage inner) : IBranchKeyStorage
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public string Name => inner.Name;

    public ValueTask<BranchKeyItem?> GetItemAsync(string branchKeyId, string type, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetItemAsync(branchKeyId, type, cancellationToken);
    }

    public ValueTask<bool> TryWriteNewBranchKeyAsync(IReadOnlyList<BranchKeyItem> items, CancellationToken cancellationToken = default) =>
        inner.TryWriteNewBranchKeyAsync(items, cancellationToken);

    public ValueTask<bool> TryWriteNewVersionAsync(BranchKeyItem version, BranchKeyItem active, ReadOnlyMemory<byte> expectedActiveEnc, CancellationToken cancellationToken = default) =>
        inner.TryWriteNewVersionAsync(version, active, expectedActiveEnc, cancellationToken);
}
