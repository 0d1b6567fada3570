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
