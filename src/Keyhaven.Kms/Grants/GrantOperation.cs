namespace Keyhaven.Kms.Grants;

/// <summary>
/// The operations a grant can allow, named exactly as on the wire and in policies without the <c>kms:</c> prefix
/// (<c>ToString()</c> gives the wire name).
/// </summary>
// spec: kms/latest/developerguide/grants.html#terms-grant-operations
public enum GrantOperation
{
    Decrypt,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    ReEncryptFrom,
    ReEncryptTo,
    Sign,
    Verify,
    GetPublicKey,
    CreateGrant,
    RetireGrant,
    DescribeKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateMac,
    VerifyMac,
    DeriveSharedSecret,
}
