using System.Security.Cryptography;
using Keyhaven.Encryption.Keyrings;

namespace Keyhaven.Encryption.Tests.Support;

/// <summary>Keyrings over fixed keys for tests.</summary>
internal static class Keys
{
    private static readonly Lazy<RSA> Rsa = new(() =>
    {
        var rsa = RSA.Create(2048);
        return rsa;
    });

    public static byte[] AesKey(int bytes) => Enumerable.Range(0, bytes).Select(i => (byte)(i * 7 + 1)).ToArray();

    public static RawAesKeyring Aes(int bytes = 32, string name = "key") => new("test-ns", name, AesKey(bytes));

    public static string RsaPrivatePem => Rsa.Value.ExportPkcs8PrivateKeyPem();

    public static string RsaPublicPem => Rsa.Value.ExportSubjectPublicKeyInfoPem();

    public static RawRsaKeyring RsaPrivate(RsaPadding padding, string name = "rsa") => RawRsaKeyring.FromPem("test-rsa", name, RsaPrivatePem, padding);

    public static RawRsaKeyring RsaPublic(RsaPadding padding, string name = "rsa") => RawRsaKeyring.FromPem("test-rsa", name, RsaPublicPem, padding);

    public static byte[] Plaintext(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 3)).ToArray();
}
