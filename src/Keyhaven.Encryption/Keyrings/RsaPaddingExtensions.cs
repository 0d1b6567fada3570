using System.Security.Cryptography;

namespace Keyhaven.Encryption.Keyrings;

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
