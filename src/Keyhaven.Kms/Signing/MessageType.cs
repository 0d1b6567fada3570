namespace Keyhaven.Kms.Signing;

/// <summary>What the Message of Sign and Verify is: the message itself, its digest, or ML-DSA's external μ.</summary>
public enum MessageType
{
    Raw,
    Digest,
    ExternalMu,
}
