namespace Keyhaven.Kms.Keys;

/// <summary>The cryptographic operations a key is for.</summary>
public enum KeyUsage
{
    EncryptDecrypt,
}
