namespace Keyhaven.Server.Tests.Infrastructure;

/// <summary>The real Nitro attestation documents in ../shared/fixtures/nitro (see Keyhaven.Attestation.Tests for all of them).</summary>
public static class NitroFixtures
{
    /// <summary>A production enclave's document carrying a 2048-bit RSA public key, produced at 2021-03-24T16:10:41Z.</summary>
    public const string ProductionRsaRecipient = "prod-rsa-recipient-2021-03-24.cbor";

    /// <summary>A debug-mode (PCR0 all zero) document carrying an RSA public key and a nonce, produced at 2024-01-24T18:14:25Z.</summary>
    public const string DebugRsaRecipient = "debug-rsa-recipient-nonce-2024-01-24.cbor";

    public static byte[] Read(string file)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Keyhaven.slnx not found above the test binaries.");
        }

        return File.ReadAllBytes(Path.Combine(root, "..", "shared", "fixtures", "nitro", file));
    }
}
