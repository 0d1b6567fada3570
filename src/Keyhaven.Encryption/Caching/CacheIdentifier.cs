using System.Security.Cryptography;

namespace Keyhaven.Encryption.Caching;

/// <summary>
/// Cache entry identifiers shared by the caching CMM and the hierarchical keyring: SHA-384 over the resource id, the
/// scope id, the partition id and the resource suffix fields, each separated by one null byte.
/// spec: framework/caching-cmm.md#appendix-a-cache-entry-identifier-formulas,
/// framework/aws-kms/aws-kms-hierarchical-keyring.md#appendix-a-cache-entry-identifier-formulas
/// </summary>
internal static class CacheIdentifier
{
    public const byte CachingCmm = 0x01;
    public const byte HierarchicalKeyring = 0x02;
    public const byte Encrypt = 0x01;
    public const byte Decrypt = 0x02;

    public static byte[] Compute(byte resource, byte scope, ReadOnlySpan<byte> partitionId, params ReadOnlySpan<byte[]> suffix)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        ReadOnlySpan<byte> nullByte = [0x00];
        hash.AppendData([resource]);
        hash.AppendData(nullByte);
        hash.AppendData([scope]);
        hash.AppendData(nullByte);
        hash.AppendData(partitionId);
        foreach (var field in suffix)
        {
            hash.AppendData(nullByte);
            hash.AppendData(field);
        }

        return hash.GetHashAndReset();
    }
}
