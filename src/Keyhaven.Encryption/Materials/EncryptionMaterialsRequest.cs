using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Materials;

/// <summary>spec: framework/cmm-interface.md#encryption-materials-request</summary>
public sealed record EncryptionMaterialsRequest(
    IReadOnlyDictionary<string, string> EncryptionContext,
    CommitmentPolicy CommitmentPolicy,
    AlgorithmSuite? Suite = null,
    long? MaxPlaintextLength = null)
{
    /// <summary>Context keys the caller wants authenticated but not stored.</summary>
    public IReadOnlySet<string> RequiredEncryptionContextKeys { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}
