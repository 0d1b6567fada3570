using System.Security.Cryptography;
using Keyhaven.Attestation.Development;
using Keyhaven.Attestation.Verification;

namespace Keyhaven.Attestation.Tests;

/// <summary>Development documents: same format, verified only by a verifier told to trust the development root.</summary>
public sealed class DevelopmentAttestorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-30T12:00:00Z");

    private static Dictionary<int, byte[]> Pcrs(byte fill) => Enumerable.Range(0, 3).ToDictionary(i => i, i => Enumerable.Repeat((byte)(fill + i), 48).ToArray());

    [Fact]
    public void A_development_document_verifies_only_where_its_root_is_trusted_and_says_it_is_development()
    {
        using var root = DevelopmentRoot.Create(Now);
        using var attestor = new DevelopmentAttestor(root, "i-sample", Now);
        using var rsa = RSA.Create(2048);
        var document = attestor.Attest(Pcrs(1), Now, rsa.ExportSubjectPublicKeyInfo(), userData: [1, 2], nonce: [9, 9, 9]);

        var production = new NitroAttestationVerifier(new AttestationVerifierOptions(), new PinnedClock(Now)).Verify(document);
        Assert.Equal(AttestationFailure.UntrustedRoot, production.Failure);

        var development = new NitroAttestationVerifier(new AttestationVerifierOptions { DevelopmentRootFingerprints = [root.Fingerprint] }, new PinnedClock(Now)).Verify(document, [9, 9, 9]);
        Assert.True(development.IsValid, development.Reason);
        Assert.True(development.IsDevelopment);
        Assert.Equal("dev:i-sample", development.Document!.ModuleId);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), development.Document.PublicKey);
        Assert.Equal(Pcrs(1)[0], development.Document.ImageSha384);
        Assert.Contains("\"development\": true", AttestationReport.ToJson(development));
    }

    [Fact]
    public void A_development_root_is_saved_with_a_private_key_only_its_owner_reads_and_never_overwritten()
    {
        var directory = Directory.CreateTempSubdirectory("keyhaven-devroot").FullName;
        try
        {
            using (var root = DevelopmentRoot.Create(Now))
            {
                root.Save(directory);
                Assert.Throws<IOException>(() => root.Save(directory));
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, DevelopmentRoot.KeyFile)));
            }

            using var loaded = DevelopmentRoot.Load(directory);
            Assert.Equal(DevelopmentRoot.FingerprintOf(Path.Combine(directory, DevelopmentRoot.CertificateFile)), loaded.Fingerprint);
            using var attestor = new DevelopmentAttestor(loaded, "i-reloaded", Now);
            var verifier = new NitroAttestationVerifier(new AttestationVerifierOptions { DevelopmentRootFingerprints = [loaded.Fingerprint] }, new PinnedClock(Now));
            Assert.True(verifier.Verify(attestor.Attest(Pcrs(7), Now)).IsValid);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
