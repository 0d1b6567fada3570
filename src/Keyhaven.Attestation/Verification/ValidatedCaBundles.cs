using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keyhaven.Attestation.Verification;

/// <summary>
/// CA bundles a verifier has already validated up to a pinned root (with <see cref="X509Chain"/>, through a leaf),
/// keyed by the SHA-256 of their exact DER bytes. A later document with the same bundle needs only its leaf checked:
/// the leaf's signature by the issuer that chain building found, name chaining, and the leaf's own window. Every
/// entry is good only inside the intersection of its certificates' validity windows, checked against both the
/// document's timestamp and the clock. Anything unusual is not decided here: the caller falls back to full chain
/// building, which gives the precise reason. Thread-safe; bounded (emptied when full).
/// </summary>
internal sealed class ValidatedCaBundles
{
    private const int Capacity = 256;

    private readonly ConcurrentDictionary<string, ValidatedCaBundle> _bundles = new(StringComparer.Ordinal);

    /// <summary>The SHA-256 of the bundle's certificates, each length-prefixed, in order.</summary>
    public static string KeyOf(IReadOnlyList<byte[]> caBundle)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var der in caBundle)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, der.Length);
            hash.AppendData(length);
            hash.AppendData(der);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public ValidatedCaBundle? Find(string key) => _bundles.GetValueOrDefault(key);

    public void Remember(string key, ValidatedCaBundle bundle)
    {
        if (_bundles.Count >= Capacity)
        {
            _bundles.Clear();
        }

        _bundles[key] = bundle;
    }
}

/// <summary>
/// What full validation established about one CA bundle, for checking further leaves under it, and the leaves
/// already checked under it (by their exact DER bytes), so a host's repeated leaf costs no signature check either.
/// Thread-safe.
/// </summary>
internal sealed class ValidatedCaBundle
{
    private const int LeafCapacity = 64;

    private const string BasicConstraints = "2.5.29.19", KeyUsage = "2.5.29.15", ExtendedKeyUsage = "2.5.29.37", SubjectAltName = "2.5.29.17",
        AuthorityKeyIdentifier = "2.5.29.35";

    // Extensions of a CA that constrain the leaves under it (name constraints, policies): such bundles are not cached.
    private static readonly string[] LeafConstrainingExtensions = ["2.5.29.30", "2.5.29.32", "2.5.29.36", "2.5.29.54"];

    private readonly byte[] _issuerSubject;
    private readonly X509Certificate2 _issuer;
    private readonly byte[]? _issuerKeyIdentifier;

    // Leaves that passed Issued, by the SHA-256 of their DER. Never disposed here (another thread may be using one);
    // evicted certificates are left to the finalizer.
    private readonly ConcurrentDictionary<string, X509Certificate2> _checkedLeaves = new(StringComparer.Ordinal);

    private ValidatedCaBundle(byte[] issuerSubject, X509Certificate2 issuer, byte[]? issuerKeyIdentifier, DateTimeOffset notBefore, DateTimeOffset notAfter,
        IReadOnlyList<string> subjects, bool isDevelopment)
    {
        _issuerSubject = issuerSubject;
        _issuer = issuer;
        _issuerKeyIdentifier = issuerKeyIdentifier;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Subjects = subjects;
        IsDevelopment = isDevelopment;
    }

    /// <summary>The intersection of every bundle certificate's validity window.</summary>
    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>The bundle's subjects, last certificate first (as the result lists the chain after the leaf).</summary>
    public IReadOnlyList<string> Subjects { get; }

    public bool IsDevelopment { get; }

    public bool IsValidAt(DateTimeOffset moment) => moment >= NotBefore && moment <= NotAfter;

    /// <summary>
    /// The entry for a bundle whose chain was just built successfully; <paramref name="builtChain"/> is leaf first,
    /// root last. Null when the chain has constraints on leaves that only full validation checks.
    /// </summary>
    public static ValidatedCaBundle? From(X509ChainElementCollection builtChain, IReadOnlyList<X509Certificate2> bundle, bool isDevelopment)
    {
        if (builtChain.Count < 2)
        {
            return null;
        }

        for (var i = 1; i < builtChain.Count; i++)
        {
            foreach (var extension in builtChain[i].Certificate.Extensions)
            {
                if (LeafConstrainingExtensions.Contains(extension.Oid?.Value))
                {
                    return null;
                }
            }
        }

        var issuer = builtChain[1].Certificate;
        using (var key = issuer.GetECDsaPublicKey())
        {
            if (key is null)
            {
                return null;
            }
        }

        var identifier = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray();
        return new ValidatedCaBundle(issuer.SubjectName.RawData, X509CertificateLoader.LoadCertificate(issuer.RawData), identifier,
            bundle.Max(c => c.NotBefore.ToUniversalTime()), bundle.Min(c => c.NotAfter.ToUniversalTime()),
            [.. bundle.Reverse().Select(c => c.Subject)], isDevelopment);
    }

    /// <summary>
    /// The leaf certificate <paramref name="der"/> when it is issued under this bundle (see <see cref="Issued"/>),
    /// remembered by its exact bytes after the first check; null when it is not (or cannot be read). The leaf's
    /// validity window is the caller's to check. The certificate returned is shared: never dispose it.
    /// </summary>
    public X509Certificate2? CheckedLeaf(byte[] der)
    {
        var key = Convert.ToHexString(SHA256.HashData(der));
        if (_checkedLeaves.TryGetValue(key, out var known) && known.RawDataMemory.Span.SequenceEqual(der))
        {
            return known;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }

        if (!Issued(leaf))
        {
            leaf.Dispose();
            return null;
        }

        if (_checkedLeaves.Count >= LeafCapacity)
        {
            _checkedLeaves.Clear();
        }

        return _checkedLeaves.GetOrAdd(key, leaf);
    }

    /// <summary>
    /// True when <paramref name="leaf"/> is issued by this bundle's issuer exactly as chain building would accept it:
    /// issuer name equal to the issuer's subject, authority key identifier (if any) equal to the issuer's, no critical
    /// extension other than those chain building handles for an end entity, an ECDSA signature (SHA-256/384/512) over
    /// its to-be-signed part that verifies with the issuer's key, and the same algorithm inside and outside. The leaf's
    /// validity window is the caller's to check.
    /// </summary>
    private bool Issued(X509Certificate2 leaf)
    {
        if (!leaf.IssuerName.RawData.AsSpan().SequenceEqual(_issuerSubject))
        {
            return false;
        }

        foreach (var extension in leaf.Extensions)
        {
            if (extension.Oid?.Value == AuthorityKeyIdentifier && _issuerKeyIdentifier is not null
                && (extension as X509AuthorityKeyIdentifierExtension ?? new X509AuthorityKeyIdentifierExtension(extension.RawData, extension.Critical)).KeyIdentifier is { } keyIdentifier
                && !keyIdentifier.Span.SequenceEqual(_issuerKeyIdentifier))
            {
                return false;
            }

            if (extension.Critical && extension.Oid?.Value is not (BasicConstraints or KeyUsage or ExtendedKeyUsage or SubjectAltName))
            {
                return false;
            }
        }

        try
        {
            // spec: RFC 5280 section 4.1 (Certificate: tbsCertificate, signatureAlgorithm, signatureValue)
            var certificate = new AsnReader(leaf.RawDataMemory, AsnEncodingRules.DER).ReadSequence();
            var toBeSigned = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadEncodedValue();
            var signature = certificate.ReadBitString(out var unusedBits);
            if (certificate.HasData || unusedBits != 0 || HashOf(algorithm) is not { } hash)
            {
                return false;
            }

            var inner = new AsnReader(toBeSigned, AsnEncodingRules.DER).ReadSequence();
            if (inner.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                inner.ReadEncodedValue(); // version
            }

            inner.ReadEncodedValue(); // serialNumber
            if (!inner.ReadEncodedValue().Span.SequenceEqual(algorithm.Span))
            {
                return false;
            }

            using var issuerKey = _issuer.GetECDsaPublicKey()!; // INVARIANT: From made sure the issuer has an EC key
            return issuerKey.VerifyData(toBeSigned.Span, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception exception) when (exception is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The hash of an ecdsa-with-SHA256/384/512 AlgorithmIdentifier (no parameters, RFC 5758 section 3.2), else null.</summary>
    private static HashAlgorithmName? HashOf(ReadOnlyMemory<byte> algorithmIdentifier)
    {
        var sequence = new AsnReader(algorithmIdentifier, AsnEncodingRules.DER).ReadSequence();
        var oid = sequence.ReadObjectIdentifier();
        if (sequence.HasData)
        {
            return null;
        }

        return oid switch
        {
            "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => null,
        };
    }
}
