using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhaven.Attestation.Verification;

namespace Keyhaven.Attestation.Tests;

/// <summary>
/// The same refusals once the verifier has validated a document's CA bundle (and so checks later leaves under it
/// without building the chain): nothing that failed before succeeds now, and every failure keeps its reason.
/// </summary>
public sealed partial class NitroAttestationVerifierTests
{
    private const string Warm = "prod-rsa-recipient-2021-03-24.cbor";

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (NitroAttestationVerifier Verifier, SettableClock Clock) Warmed()
    {
        var clock = new SettableClock(NitroFixtures.At(Warm));
        var verifier = new NitroAttestationVerifier(new AttestationVerifierOptions(), clock);
        Assert.True(verifier.Verify(NitroFixtures.Read(Warm)).IsValid);
        return (verifier, clock);
    }

    [Fact]
    public void A_validated_bundle_gives_the_same_result_again_and_every_flipped_byte_still_fails()
    {
        var (verifier, _) = Warmed();
        var original = NitroFixtures.Read(Warm);
        var again = verifier.Verify(original);
        Assert.True(again.IsValid, again.Reason);
        Assert.Equal(5, again.ChainSubjects.Count);
        Assert.StartsWith("CN=aws.nitro-enclaves", again.ChainSubjects[^1]);
        for (var i = 0; i < original.Length; i++)
        {
            var tampered = (byte[])original.Clone();
            tampered[i] ^= 0x01;
            Assert.False(verifier.Verify(tampered).IsValid, $"flipping byte {i} verifies under the validated bundle");
        }
    }

    [Fact]
    public void A_validated_bundle_does_not_outlive_its_certificates_or_the_documents_timestamp()
    {
        var (verifier, clock) = Warmed();
        clock.Now = DateTimeOffset.Parse("2026-11-30T00:00:00Z");
        var expired = verifier.Verify(NitroFixtures.Read(Warm));
        Assert.Equal(AttestationFailure.CertificateExpired, expired.Failure);
        Assert.Contains("expired", expired.Reason);

        clock.Now = NitroFixtures.At(Warm).AddMinutes(6);
        Assert.Equal(AttestationFailure.Stale, verifier.Verify(NitroFixtures.Read(Warm)).Failure);
    }

    [Fact]
    public void Under_a_validated_bundle_a_re_signed_document_or_a_forged_leaf_is_refused()
    {
        var (verifier, _) = Warmed();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal(AttestationFailure.InvalidSignature, verifier.Verify(Sign(Payload(NitroFixtures.Read(Warm)), other)).Failure);

        // A leaf naming the real issuer, signed by another key, signing the document itself: its chain does not verify.
        var payload = Payload(NitroFixtures.Read(Warm));
        using var realLeaf = X509CertificateLoader.LoadCertificate(ReadField(payload, "certificate"));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(realLeaf.SubjectName, leafKey, HashAlgorithmName.SHA384);
        using var forged = request.Create(realLeaf.IssuerName, X509SignatureGenerator.CreateForECDsa(other), realLeaf.NotBefore, realLeaf.NotAfter, realLeaf.SerialNumberBytes.ToArray());
        var forgedDocument = Sign(Rewrite(payload, "certificate", writer => writer.WriteByteString(forged.RawData)), leafKey);
        var result = verifier.Verify(forgedDocument);
        Assert.Equal(AttestationFailure.InvalidChain, result.Failure);
    }

    [Fact]
    public void Under_a_validated_bundle_a_replaced_root_is_still_untrusted()
    {
        var (verifier, _) = Warmed();
        using var fakeRoot = SelfSigned("CN=aws.nitro-enclaves, C=US, O=Amazon, OU=AWS", out var fakeKey);
        fakeKey.Dispose();
        var payload = Payload(NitroFixtures.Read(Warm));
        var bundle = ReadBundle(payload);
        bundle[0] = fakeRoot.RawData;
        var replaced = Rewrite(payload, "cabundle", writer =>
        {
            writer.WriteStartArray(bundle.Count);
            bundle.ForEach(writer.WriteByteString);
            writer.WriteEndArray();
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal(AttestationFailure.UntrustedRoot, verifier.Verify(Sign(replaced, key)).Failure);
    }

    [Fact]
    public void Another_leaf_under_a_validated_bundle_is_checked_by_its_issuers_signature()
    {
        var now = DateTimeOffset.Parse("2026-11-30T12:00:00Z");
        using var root = Development.DevelopmentRoot.Create(now.AddDays(-1));
        var verifier = new NitroAttestationVerifier(new AttestationVerifierOptions { DevelopmentRootFingerprints = [root.Fingerprint] }, new PinnedClock(now));
        var pcrs = Enumerable.Range(0, 3).ToDictionary(i => i, i => new byte[48]);
        using var first = new Development.DevelopmentAttestor(root, "first", now);
        using var second = new Development.DevelopmentAttestor(root, "second", now);
        Assert.True(verifier.Verify(first.Attest(pcrs, now)).IsValid);
        var another = verifier.Verify(second.Attest(pcrs, now));
        Assert.True(another.IsValid, another.Reason);
        Assert.Equal("dev:second", another.Document!.ModuleId);

        // Same bundle, a leaf that names the development root as issuer but was signed by another key.
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var forged = new CertificateRequest("CN=forged.development-enclave", leafKey, HashAlgorithmName.SHA384)
            .Create(root.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(forger), now.AddMinutes(-1), now.AddHours(1), [1, 2, 3]);
        var payload = Rewrite(Payload(first.Attest(pcrs, now)), "certificate", writer => writer.WriteByteString(forged.RawData));
        Assert.Equal(AttestationFailure.InvalidChain, verifier.Verify(Sign(payload, leafKey)).Failure);
    }

    private static byte[] ReadField(byte[] payload, string field)
    {
        var reader = new CborReader(payload);
        var count = reader.ReadStartMap()!.Value;
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadTextString() == field)
            {
                return reader.ReadByteString();
            }

            reader.SkipValue();
        }

        throw new InvalidOperationException("no " + field);
    }
}
