using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;

namespace Keyhaven.Attestation.Development;

/// <summary>
/// Produces attestation documents in the Nitro Enclaves format for a development enclave: a COSE_Sign1 (ES384) over
/// the same CBOR payload, signed by a per-enclave leaf certificate (valid three hours, like Nitro's) issued by a
/// <see cref="DevelopmentRoot"/>. The module id starts with <c>dev:</c> so no one mistakes it for hardware.
/// </summary>
public sealed class DevelopmentAttestor : IDisposable
{
    /// <summary>Every development module id starts with this.</summary>
    public const string ModulePrefix = "dev:";

    private readonly DevelopmentRoot _root;
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly X509Certificate2 _leaf;

    /// <summary>An attestor for the enclave <paramref name="moduleName"/>, its leaf certificate valid from <paramref name="now"/>.</summary>
    public DevelopmentAttestor(DevelopmentRoot root, string moduleName, DateTimeOffset now)
    {
        _root = root;
        ModuleId = ModulePrefix + moduleName;
        var request = new CertificateRequest($"CN={moduleName}.development-enclave, O=Keyhaven development", _leafKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        _leaf = request.Create(root.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(root.Key), now.AddMinutes(-1), now.AddHours(3), serial);
    }

    public string ModuleId { get; }

    /// <summary>A document for the measurements <paramref name="pcrs"/> (48 bytes each), with the optional fields given.</summary>
    public byte[] Attest(IReadOnlyDictionary<int, byte[]> pcrs, DateTimeOffset now, byte[]? publicKey = null, byte[]? userData = null, byte[]? nonce = null)
    {
        var payload = new CborWriter(CborConformanceMode.Strict);
        payload.WriteStartMap(9);
        payload.WriteTextString("module_id");
        payload.WriteTextString(ModuleId);
        payload.WriteTextString("digest");
        payload.WriteTextString("SHA384");
        payload.WriteTextString("timestamp");
        payload.WriteUInt64((ulong)now.ToUnixTimeMilliseconds());
        payload.WriteTextString("pcrs");
        payload.WriteStartMap(pcrs.Count);
        foreach (var (index, value) in pcrs.OrderBy(p => p.Key))
        {
            payload.WriteUInt32((uint)index);
            payload.WriteByteString(value);
        }

        payload.WriteEndMap();
        payload.WriteTextString("certificate");
        payload.WriteByteString(_leaf.RawData);
        payload.WriteTextString("cabundle");
        payload.WriteStartArray(1);
        payload.WriteByteString(_root.Certificate.RawData);
        payload.WriteEndArray();
        WriteOptional(payload, "public_key", publicKey);
        WriteOptional(payload, "user_data", userData);
        WriteOptional(payload, "nonce", nonce);
        payload.WriteEndMap();
        return CoseSign1Message.SignEmbedded(payload.Encode(), new CoseSigner(_leafKey, HashAlgorithmName.SHA384));
    }

    private static void WriteOptional(CborWriter writer, string name, byte[]? value)
    {
        writer.WriteTextString(name);
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteByteString(value);
        }
    }

    public void Dispose()
    {
        _leaf.Dispose();
        _leafKey.Dispose();
    }
}
