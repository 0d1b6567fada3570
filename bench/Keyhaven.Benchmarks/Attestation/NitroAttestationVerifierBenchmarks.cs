using BenchmarkDotNet.Attributes;
using Keyhaven.Attestation.Verification;

namespace Keyhaven.Benchmarks.Attestation;

/// <summary>
/// Verifying one real Nitro attestation document (COSE_Sign1 ES384 signature, strict CBOR parse, chain of four
/// certificates to the pinned root at the document's time), with the clock pinned to its timestamp. Reads the fixture
/// from ../shared/fixtures/nitro beside the repository. <see cref="Verify"/> is the steady state (the host's CA bundle
/// already validated by this verifier); <see cref="VerifyFirstDocumentOfABundle"/> a new verifier each time (full chain building).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class NitroAttestationVerifierBenchmarks
{
    private byte[] _document = null!;
    private NitroAttestationVerifier _verifier = null!;
    private TimeProvider _clock = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run the benchmarks from inside the repository.");
        }

        _document = File.ReadAllBytes(Path.Combine(root, "..", "shared", "fixtures", "nitro", "prod-rsa-recipient-2021-03-24.cbor"));
        _clock = new Pinned(DateTimeOffset.Parse("2021-03-24T16:10:42Z", System.Globalization.CultureInfo.InvariantCulture));
        _verifier = new NitroAttestationVerifier(new AttestationVerifierOptions(), _clock);
        if (!_verifier.Verify(_document).IsValid)
        {
            throw new InvalidOperationException("The fixture does not verify.");
        }
    }

    [Benchmark]
    public bool Verify() => _verifier.Verify(_document).IsValid;

    [Benchmark]
    public bool VerifyFirstDocumentOfABundle() => new NitroAttestationVerifier(new AttestationVerifierOptions(), _clock).Verify(_document).IsValid;

    private sealed class Pinned(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
