using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Materials;

/// <summary>spec: framework/cmm-interface.md#decrypt-materials-request</summary>
public sealed record DecryptionMaterialsRequest(
    AlgorithmSuite Suite,
    CommitmentPolicy CommitmentPolicy,
    IReadOnlyList<EncryptedDataKey> EncryptedDataKeys,
    IReadOnlyDictionary<string, string> EncryptionContext,
    IReadOnlyDictionary<string, string> ReproducedEncryptionContext);
