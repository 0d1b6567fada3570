namespace Keyhaven.Kms.Keys;

/// <summary>The kind of key material. Wire names are produced by the protocol layer (<c>SYMMETRIC_DEFAULT</c>, <c>RSA_2048</c>, …).</summary>
public enum KeySpec
{
    SymmetricDefault,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EccNistP256,
    EccNistP384,
    EccNistP521,
    EccSecgP256K1,
    EccNistEdwards25519,
    MlDsa44,
    MlDsa65,
    MlDsa87,
    Hmac224,
    Hmac256,
    Hmac384,
    Hmac512,
}
