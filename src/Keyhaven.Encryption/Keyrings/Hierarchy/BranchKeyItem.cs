namespace Keyhaven.Encryption.Keyrings.Hierarchy;

/// <summary>
/// One stored item of a branch key store, as the specification's record format describes it: string attributes
/// (<c>branch-key-id</c>, <c>type</c>, <c>version</c> for the ACTIVE item, <c>create-time</c>, <c>kms-arn</c>,
/// <c>hierarchy-version</c>, and the custom context as <c>aws-crypto-ec:</c>-prefixed keys) and <c>enc</c>, the
/// branch key wrapped by KMS under an encryption context made of exactly those attributes plus <c>tablename</c>.
/// The item holds no secret: every attribute is authenticated by KMS when <c>enc</c> is decrypted.
/// spec: framework/branch-key-store.md#record-format
/// </summary>
public sealed record BranchKeyItem(IReadOnlyDictionary<string, string> Attributes, byte[] Enc)
{
    public const string BranchKeyIdField = "branch-key-id";
    public const string TypeField = "type";
    public const string VersionField = "version";
    public const string CreateTimeField = "create-time";
    public const string KmsArnField = "kms-arn";
    public const string HierarchyVersionField = "hierarchy-version";
    public const string TableNameField = "tablename";
    public const string EncField = "enc";
    public const string CustomContextPrefix = "aws-crypto-ec:";
    public const string ActiveType = "branch:ACTIVE";
    public const string BeaconActiveType = "beacon:ACTIVE";
    public const string VersionTypePrefix = "branch:version:";
    public const string HierarchyVersion = "1";

    public string BranchKeyId => Attributes.TryGetValue(BranchKeyIdField, out var id) ? id : string.Empty;

    public string Type => Attributes.TryGetValue(TypeField, out var type) ? type : string.Empty;
}
