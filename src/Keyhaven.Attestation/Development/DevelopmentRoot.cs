using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keyhaven.Attestation.Development;

/// <summary>
/// The root of development attestation documents: a P-384 certificate authority that <c>keyhaven enclave init</c>
/// creates, labelled as not for production. Servers trust it only when told to (<c>--trust-dev-attestation-root</c>);
/// nothing signed by it proves anything about real hardware.
/// </summary>
public sealed class DevelopmentRoot : IDisposable
{
    public const string SubjectName = "CN=Keyhaven development attestation root - NOT FOR PRODUCTION, O=Keyhaven development";
    public const string CertificateFile = "dev-attestation-root.pem", KeyFile = "dev-attestation-root.key";

    private DevelopmentRoot(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The root certificate (public).</summary>
    public X509Certificate2 Certificate { get; }

    internal ECDsa Key { get; }

    /// <summary>Its SHA-256 fingerprint, as the verifier pins roots.</summary>
    public string Fingerprint => Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Creates a root valid for ten years from <paramref name="now"/>.</summary>
    public static DevelopmentRoot Create(DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new DevelopmentRoot(request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10)), key);
    }

    /// <summary>Writes the certificate (world-readable) and the private key (mode 0600) into <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">A root already exists there: it is never overwritten.</exception>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, KeyFile);
        var certificatePath = Path.Combine(directory, CertificateFile);
        if (File.Exists(keyPath) || File.Exists(certificatePath))
        {
            throw new IOException($"A development attestation root already exists in `{directory}`.");
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyPath, System.Text.Encoding.ASCII, options))
        {
            writer.Write(Key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(certificatePath, Certificate.ExportCertificatePem());
    }

    /// <summary>Loads the root <see cref="Save"/> wrote.</summary>
    public static DevelopmentRoot Load(string directory)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(directory, KeyFile)));
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, CertificateFile)));
        return new DevelopmentRoot(certificate, key);
    }

    /// <summary>The fingerprint of a development root certificate file (for servers that trust it).</summary>
    public static string FingerprintOf(string certificatePemPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePemPath));
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
