namespace Keyhaven.Kms.Keys;

/// <summary>The cryptographic operations a key is for (fixed when the key is created).</summary>
public enum KeyUsage
{
    EncryptDecrypt,
    SignVerify,
    GenerateVerifyMac,
    KeyAgreement,
}
