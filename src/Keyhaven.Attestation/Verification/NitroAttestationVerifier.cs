using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using Keyhaven.Attestation.Nitro;

namespace Keyhaven.Attestation.Verification;

/// <summary>
/// Verifies AWS Nitro Enclaves and NitroTPM attestation documents: a COSE_Sign1 (tagged or untagged) signed with
/// ES384 by the leaf certificate, whose chain through the document's CA bundle must reach a pinned root (by SHA-256
/// fingerprint) and be valid at the document's timestamp; the timestamp must be fresh against the verifier's clock,
/// and the nonce must match when one was issued. Thread-safe; apart from its options and clock, it keeps only the
/// CA bundles it has validated (<see cref="ValidatedCaBundles"/>), so later documents from the same host cost one
/// chain signature check instead of a chain build.
/// </summary>
public sealed class NitroAttestationVerifier(AttestationVerifierOptions options, TimeProvider time)
{
    private const int Es384 = -35;

    private readonly ValidatedCaBundles _validatedBundles = new();

    /// <summary>A verifier trusting only the AWS Nitro root, with default limits, on the system clock.</summary>
    public NitroAttestationVerifier() : this(new AttestationVerifierOptions(), TimeProvider.System)
    {
    }

    /// <summary>Verifies <paramref name="document"/>; <paramref name="expectedNonce"/> when the caller issued one. Never throws for bad input.</summary>
    public AttestationResult Verify(ReadOnlySpan<byte> document, ReadOnlySpan<byte> expectedNonce = default)
    {
        if (document.Length > options.MaxDocumentSize)
        {
            return AttestationResult.Fail(AttestationFailure.TooLarge, $"The document is {document.Length} bytes; at most {options.MaxDocumentSize} are accepted.");
        }

        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(document);
        }
        catch (CryptographicException exception)
        {
            return AttestationResult.Fail(AttestationFailure.Malformed, "The document is not a COSE_Sign1 structure: " + exception.Message);
        }

        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var algorithm) || !IsEs384(algorithm))
        {
            return AttestationResult.Fail(AttestationFailure.UnsupportedAlgorithm, "The document is not signed with ES384.");
        }

        if (message.Content is not { } content)
        {
            return AttestationResult.Fail(AttestationFailure.Malformed, "The document has a detached payload.");
        }

        AttestationDocument parsed;
        try
        {
            parsed = AttestationDocumentParser.Parse(content);
        }
        catch (FormatException exception)
        {
            return AttestationResult.Fail(AttestationFailure.Malformed, exception.Message);
        }

        return VerifyChainAndSignature(message, parsed, expectedNonce);
    }

    private AttestationResult VerifyChainAndSignature(CoseSign1Message message, AttestationDocument document, ReadOnlySpan<byte> expectedNonce)
    {
        var now = time.GetUtcNow();
        var bundleKey = ValidatedCaBundles.KeyOf(document.CaBundle);
        if (_validatedBundles.Find(bundleKey) is { } validated && VerifiesUnder(validated, message, document, now) is { } subjects)
        {
            return CheckFreshnessAndNonce(document, now, subjects, validated.IsDevelopment, expectedNonce);
        }

        return VerifyFully(message, document, now, bundleKey, expectedNonce);
    }

    /// <summary>
    /// The chain subjects when the document verifies under a CA bundle validated before: the bundle is valid at the
    /// document's timestamp and now, the leaf is too, was issued by the bundle's issuer, and signed the document.
    /// Null when anything differs: then <see cref="VerifyFully"/> decides, and says why.
    /// </summary>
    private static List<string>? VerifiesUnder(ValidatedCaBundle bundle, CoseSign1Message message, AttestationDocument document, DateTimeOffset now)
    {
        if (!bundle.IsValidAt(document.Timestamp) || !bundle.IsValidAt(now)
            || bundle.IsDevelopment && !document.ModuleId.StartsWith(Development.DevelopmentAttestor.ModulePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            if (bundle.CheckedLeaf(document.Certificate) is not { } leaf)
            {
                return null;
            }

            var notBefore = leaf.NotBefore.ToUniversalTime();
            var notAfter = leaf.NotAfter.ToUniversalTime();
            if (document.Timestamp < notBefore || document.Timestamp > notAfter || now < notBefore || now > notAfter)
            {
                return null;
            }

            using var key = leaf.GetECDsaPublicKey();
            return key is not null && key.KeySize == 384 && Verifies(message, key) ? [leaf.Subject, .. bundle.Subjects] : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private AttestationResult VerifyFully(CoseSign1Message message, AttestationDocument document, DateTimeOffset now, string bundleKey, ReadOnlySpan<byte> expectedNonce)
    {
        var certificates = new List<X509Certificate2>();
        try
        {
            X509Certificate2 leaf;
            try
            {
                leaf = X509CertificateLoader.LoadCertificate(document.Certificate);
                certificates.Add(leaf);
                foreach (var der in document.CaBundle)
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }
            }
            catch (CryptographicException exception)
            {
                return AttestationResult.Fail(AttestationFailure.Malformed, "A certificate of the document cannot be read: " + exception.Message, document);
            }

            var subjects = new List<string> { leaf.Subject };
            subjects.AddRange(certificates.Skip(1).Reverse().Select(c => c.Subject));
            var root = certificates[1]; // INVARIANT: the CA bundle is root first and has at least one certificate
            var fingerprint = root.GetCertHashString(HashAlgorithmName.SHA256);
            var development = options.DevelopmentRootFingerprints.Contains(fingerprint, StringComparer.OrdinalIgnoreCase);
            if (development && !document.ModuleId.StartsWith(Development.DevelopmentAttestor.ModulePrefix, StringComparison.Ordinal))
            {
                return AttestationResult.Fail(AttestationFailure.UntrustedRoot,
                    $"The document chains to a development root but its module id `{document.ModuleId}` does not say `dev:`.", document, subjects);
            }

            if (!development && !options.TrustedRootFingerprints.Contains(fingerprint, StringComparer.OrdinalIgnoreCase))
            {
                return AttestationResult.Fail(AttestationFailure.UntrustedRoot,
                    $"The CA bundle starts with `{root.Subject}` (SHA-256 {root.GetCertHashString(HashAlgorithmName.SHA256)}), which is not a pinned root.", document, subjects);
            }

            // The signature first: it is cheaper than building the chain, and any change to the payload breaks it.
            try
            {
                using var key = leaf.GetECDsaPublicKey();
                if (key is null || key.KeySize != 384 || !Verifies(message, key))
                {
                    return AttestationResult.Fail(AttestationFailure.InvalidSignature, "The COSE signature does not verify with the leaf certificate's P-384 key.", document, subjects);
                }
            }
            catch (CryptographicException exception)
            {
                return AttestationResult.Fail(AttestationFailure.Malformed, "The leaf certificate's key cannot be read: " + exception.Message, document, subjects);
            }

            (AttestationFailure Failure, string Reason)? chainFailure;
            try
            {
                chainFailure = ValidateChain(leaf, root, certificates.Skip(2), document.Timestamp, now, built =>
                {
                    if (ValidatedCaBundle.From(built, certificates.GetRange(1, certificates.Count - 1), development) is { } validated)
                    {
                        _validatedBundles.Remember(bundleKey, validated);
                    }
                });
            }
            catch (CryptographicException exception)
            {
                chainFailure = (AttestationFailure.InvalidChain, "A certificate of the chain cannot be read: " + exception.Message);
            }

            if (chainFailure is { } failure)
            {
                return AttestationResult.Fail(failure.Failure, failure.Reason, document, subjects);
            }

            return CheckFreshnessAndNonce(document, now, subjects, development, expectedNonce);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private AttestationResult CheckFreshnessAndNonce(AttestationDocument document, DateTimeOffset now, List<string> subjects, bool development, ReadOnlySpan<byte> expectedNonce)
    {
        if (document.Timestamp > now + options.MaxClockSkew || now - document.Timestamp > options.MaxAge)
        {
            return AttestationResult.Fail(AttestationFailure.Stale,
                $"The document was produced at {document.Timestamp:O}; at {now:O} only documents up to {options.MaxAge.TotalSeconds:0} s old are accepted.", document, subjects);
        }

        if (!expectedNonce.IsEmpty && (document.Nonce is null || !CryptographicOperations.FixedTimeEquals(document.Nonce, expectedNonce)))
        {
            return AttestationResult.Fail(AttestationFailure.NonceMismatch, "The document's nonce is not the one issued.", document, subjects);
        }

        return new AttestationResult { Failure = AttestationFailure.None, Document = document, ChainSubjects = subjects, IsDevelopment = development };
    }

    /// <summary>
    /// Builds the chain leaf → intermediates → the pinned root at <paramref name="at"/> (the document's timestamp),
    /// trusting nothing else; every certificate must also still be valid <paramref name="now"/>. On success,
    /// <paramref name="onBuilt"/> sees the chain built (leaf first), before it is disposed.
    /// </summary>
    private static (AttestationFailure Failure, string Reason)? ValidateChain(X509Certificate2 leaf, X509Certificate2 root, IEnumerable<X509Certificate2> intermediates,
        DateTimeOffset at, DateTimeOffset now, Action<X509ChainElementCollection> onBuilt)
    {
        foreach (var moment in new[] { now, at })
        {
            foreach (var certificate in intermediates.Prepend(root).Prepend(leaf))
            {
                if (moment < certificate.NotBefore.ToUniversalTime() || moment > certificate.NotAfter.ToUniversalTime())
                {
                    var what = moment < certificate.NotBefore.ToUniversalTime() ? "not yet valid" : "expired";
                    return (AttestationFailure.CertificateExpired,
                        $"Certificate `{certificate.Subject}` is {what} at {moment:O} (valid {certificate.NotBefore.ToUniversalTime():O} to {certificate.NotAfter.ToUniversalTime():O}).");
                }
            }
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(leaf))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return (AttestationFailure.InvalidChain, "The leaf certificate does not chain to the pinned root through the CA bundle: " + status);
        }

        var built = chain.ChainElements[^1].Certificate;
        if (!built.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span))
        {
            return (AttestationFailure.InvalidChain, "The chain ends in a certificate other than the pinned root.");
        }

        onBuilt(chain.ChainElements);
        return null;
    }

    private static bool Verifies(CoseSign1Message message, ECDsa key)
    {
        try
        {
            return message.VerifyEmbedded(key);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool IsEs384(CoseHeaderValue value)
    {
        try
        {
            return value.GetValueAsInt32() == Es384;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
