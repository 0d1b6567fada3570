using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using Keyhaven.Attestation.Verification;

namespace Keyhaven.Attestation.Tests;

/// <summary>The verifier against real Nitro documents: valid at their own time, and every kind of tampering refused with its reason.</summary>
public sealed partial class NitroAttestationVerifierTests
{
    private static NitroAttestationVerifier At(DateTimeOffset now) => new(new AttestationVerifierOptions(), new PinnedClock(now));

    public static TheoryData<string> Files() => [.. NitroFixtures.Documents.Select(d => d.File)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_real_document_verifies_at_its_own_timestamp(string file)
    {
        var result = At(NitroFixtures.At(file)).Verify(NitroFixtures.Read(file));
        Assert.True(result.IsValid, result.Reason);
        var document = result.Document!;
        Assert.Equal("SHA384", document.Digest);
        Assert.InRange(document.Timestamp - NitroFixtures.At(file), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(48, document.Pcrs[0].Length);
        Assert.StartsWith("CN=aws.nitro-enclaves", result.ChainSubjects[^1]);
        Assert.Equal(file.StartsWith("debug", StringComparison.Ordinal), document.IsDebug);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_real_document_fails_today_because_its_certificates_expired(string file)
    {
        var result = At(DateTimeOffset.Parse("2026-11-30T00:00:00Z")).Verify(NitroFixtures.Read(file));
        Assert.Equal(AttestationFailure.CertificateExpired, result.Failure);
        Assert.Contains("expired", result.Reason);
    }

    [Fact]
    public void Documents_carry_the_fields_policies_and_recipients_need()
    {
        var recipient = At(NitroFixtures.At("prod-rsa-recipient-2021-03-24.cbor")).Verify(NitroFixtures.Read("prod-rsa-recipient-2021-03-24.cbor")).Document!;
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(recipient.PublicKey, out _);
        Assert.Equal(2048, rsa.KeySize);
        Assert.False(recipient.IsDebug);
        Assert.Equal(recipient.Pcrs[0], recipient.ImageSha384);

        var debug = At(NitroFixtures.At("debug-rsa-recipient-nonce-2024-01-24.cbor")).Verify(NitroFixtures.Read("debug-rsa-recipient-nonce-2024-01-24.cbor")).Document!;
        Assert.True(debug.IsDebug);
        Assert.NotNull(debug.Nonce);
        Assert.NotNull(debug.UserData);
        Assert.Equal(256, At(NitroFixtures.At("prod-pcr8-2022-10-13.cbor")).Verify(NitroFixtures.Read("prod-pcr8-2022-10-13.cbor")).Document!.Nonce!.Length);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Flipping_any_byte_of_a_document_makes_it_fail(string file)
    {
        var original = NitroFixtures.Read(file);
        var verifier = At(NitroFixtures.At(file));
        for (var i = 0; i < original.Length; i++)
        {
            var tampered = (byte[])original.Clone();
            tampered[i] ^= 0x01;
            var result = verifier.Verify(tampered);
            Assert.False(result.IsValid, $"{file}: flipping byte {i} still verifies");
            Assert.NotEqual("", result.Reason);
        }
    }

    [Fact]
    public void A_tagged_COSE_Sign1_verifies_like_the_untagged_one()
    {
        const string file = "prod-2021-03-17.cbor";
        var tagged = new byte[] { 0xD2 }.Concat(NitroFixtures.Read(file)).ToArray(); // CBOR tag 18 (COSE_Sign1)
        Assert.True(At(NitroFixtures.At(file)).Verify(tagged).IsValid);
    }

    [Fact]
    public void A_document_is_stale_after_the_maximum_age_and_rejected_from_the_future()
    {
        const string file = "prod-2021-03-17.cbor";
        var late = At(NitroFixtures.At(file).AddMinutes(6)).Verify(NitroFixtures.Read(file));
        Assert.Equal(AttestationFailure.Stale, late.Failure);
        var early = At(NitroFixtures.At(file).AddMinutes(-5)).Verify(NitroFixtures.Read(file));
        Assert.False(early.IsValid);
    }

    [Fact]
    public void The_nonce_must_be_the_one_issued_when_one_was()
    {
        const string file = "debug-rsa-recipient-nonce-2024-01-24.cbor";
        var verifier = At(NitroFixtures.At(file));
        var nonce = verifier.Verify(NitroFixtures.Read(file)).Document!.Nonce!;
        Assert.True(verifier.Verify(NitroFixtures.Read(file), nonce).IsValid);
        var other = (byte[])nonce.Clone();
        other[0] ^= 0xFF;
        Assert.Equal(AttestationFailure.NonceMismatch, verifier.Verify(NitroFixtures.Read(file), other).Failure);
        Assert.Equal(AttestationFailure.NonceMismatch, At(NitroFixtures.At("prod-2021-03-17.cbor")).Verify(NitroFixtures.Read("prod-2021-03-17.cbor"), other).Failure);
    }

    [Fact]
    public void A_cabundle_whose_root_is_replaced_is_untrusted()
    {
        const string file = "prod-2021-03-17.cbor";
        using var fakeRoot = SelfSigned("CN=aws.nitro-enclaves, C=US, O=Amazon, OU=AWS", out _);
        var payload = Rewrite(Payload(NitroFixtures.Read(file)), "cabundle", writer =>
        {
            var bundle = ReadBundle(Payload(NitroFixtures.Read(file)));
            bundle[0] = fakeRoot.RawData;
            writer.WriteStartArray(bundle.Count);
            bundle.ForEach(writer.WriteByteString);
            writer.WriteEndArray();
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var result = At(NitroFixtures.At(file)).Verify(Sign(payload, key));
        Assert.Equal(AttestationFailure.UntrustedRoot, result.Failure);
        Assert.Contains("not a pinned root", result.Reason);
    }

    [Fact]
    public void A_document_re_signed_with_another_key_fails_the_signature()
    {
        const string file = "prod-2021-03-17.cbor";
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var result = At(NitroFixtures.At(file)).Verify(Sign(Payload(NitroFixtures.Read(file)), key));
        Assert.Equal(AttestationFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public void Garbage_oversized_and_wrongly_signed_input_is_refused_with_a_reason()
    {
        var verifier = At(NitroFixtures.At("prod-2021-03-17.cbor"));
        Assert.Equal(AttestationFailure.Malformed, verifier.Verify([0x01, 0x02, 0x03]).Failure);
        Assert.Equal(AttestationFailure.Malformed, verifier.Verify([]).Failure);
        Assert.Equal(AttestationFailure.TooLarge, verifier.Verify(new byte[20_000]).Failure);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var es256 = CoseSign1Message.SignEmbedded(Payload(NitroFixtures.Read("prod-2021-03-17.cbor")), new CoseSigner(p256, HashAlgorithmName.SHA256));
        Assert.Equal(AttestationFailure.UnsupportedAlgorithm, verifier.Verify(es256).Failure);
        var truncated = NitroFixtures.Read("prod-2021-03-17.cbor")[..^10];
        Assert.Equal(AttestationFailure.Malformed, verifier.Verify(truncated).Failure);
    }

    private static byte[] Payload(byte[] document) => CoseMessage.DecodeSign1(document).Content!.Value.ToArray();

    private static byte[] Sign(byte[] payload, ECDsa key) =>
        CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA384));

    private static List<byte[]> ReadBundle(byte[] payload)
    {
        var reader = new CborReader(payload);
        var count = reader.ReadStartMap()!.Value;
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadTextString() == "cabundle")
            {
                var n = reader.ReadStartArray()!.Value;
                return Enumerable.Range(0, n).Select(_ => reader.ReadByteString()).ToList();
            }

            reader.SkipValue();
        }

        throw new InvalidOperationException("no cabundle");
    }

    /// <summary>The payload map with <paramref name="field"/>'s value written by <paramref name="write"/>; other fields copied.</summary>
    private static byte[] Rewrite(byte[] payload, string field, Action<CborWriter> write)
    {
        var reader = new CborReader(payload);
        var writer = new CborWriter();
        var count = reader.ReadStartMap()!.Value;
        writer.WriteStartMap(count);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString();
            writer.WriteTextString(name);
            if (name == field)
            {
                reader.SkipValue();
                write(writer);
            }
            else
            {
                writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
            }
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private static X509Certificate2 SelfSigned(string subject, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.Parse("2019-01-01T00:00:00Z"), DateTimeOffset.Parse("2049-01-01T00:00:00Z"));
    }
}
