using System.Security.Cryptography;

namespace Keyhaven.Encryption.Keyrings;

/// <summary>The RSA paddings a raw RSA keyring may wrap with (spec: framework/raw-rsa-keyring.md#supported-padding-schemes).</summary>
public enum RsaPadding
{
    Pkcs1,
    OaepSha1,
    OaepSha256,
    OaepSha384,
    OaepSha512,
}

internal static class RsaPaddingExtensions
{
    public static RSAEncryptionPadding ToPlatform(this RsaPadding padding) => padding switch
    {
        RsaPadding.Pkcs1 => RSAEncryptionPadding.Pkcs1,
        RsaPadding.OaepSha1 => RSAEncryptionPadding.OaepSHA1,
        RsaPadding.OaepSha256 => RSAEncryptionPadding.OaepSHA256,
        RsaPadding.OaepSha384 => RSAEncryptionPadding.OaepSHA384,
        RsaPadding.OaepSha512 => RSAEncryptionPadding.OaepSHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(padding), $"`{padding}` is not an RSA padding."),
    };
}
