namespace Keyhaven.Attestation.Nitro;

/// <summary>The attestation roots Keyhaven pins.</summary>
public static class NitroRoots
{
    /// <summary>
    /// SHA-256 fingerprint of the AWS Nitro Enclaves root certificate G1 (CN=aws.nitro-enclaves, valid 2019-10-28 to
    /// 2049-10-28), as AWS publishes it.
    /// </summary>
    public const string AwsNitroEnclavesRootG1Sha256 = "641A0321A3E244EFE456463195D606317ED7CDCC3C1756E09893F3C68F79BB5B";
}
