namespace Keyhaven.Kms.Keys;

/// <summary>The kind of key material. Wire names are produced by the protocol layer (<c>SYMMETRIC_DEFAULT</c>, …).</summary>
public enum KeySpec
{
    SymmetricDefault,
}
