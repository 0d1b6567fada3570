using System.Text;
using BenchmarkDotNet.Attributes;
using Keyhaven.SigV4;

namespace Keyhaven.Benchmarks.SigV4;

/// <summary>
/// SigV4 verification of a typical KMS Encrypt POST (Content-Type application/x-amz-json-1.1, X-Amz-Target, Host,
/// X-Amz-Date, ~100-byte body), as the server runs it on every request.
/// </summary>
[MemoryDiagnoser]
public class SigV4VerifierBenchmarks
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "{\"KeyId\":\"alias/keyhaven-bench\",\"Plaintext\":\"SGVsbG8sIEtleWhhdmVuIQ==\",\"EncryptionContext\":{\"a\":\"b\"}}");

    private SigV4Verifier<string> _warm = null!;
    private SigV4Verifier<string> _noCache = null!;
    private SigV4Request _request;

    [GlobalSetup]
    public void Setup()
    {
        var headers = new List<HttpHeader>
        {
            new("Host", "kms.us-east-1.amazonaws.com"),
            new("Content-Type", "application/x-amz-json-1.1"),
            new("X-Amz-Target", "TrentService.Encrypt"),
            new("User-Agent", "aws-sdk-dotnet-coreclr/4.0.0"),
            new("Content-Length", Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        var signer = new SigV4Signer(new SigV4Credentials("AKIDKEYHAVENBENCH01", "kEyHaVeNsEcReT/0123456789abcdefghijKLMNOP"), "us-east-1", "kms");
        SigV4SignedRequest signed = signer.Sign(
            new SigV4SigningRequest("POST", "/", "", headers, PayloadHash.Compute(Body)), new SigV4SigningOptions { SigningTime = Now });
        headers.AddRange(signed.HeadersToAdd);
        _request = new SigV4Request("POST", "/", "", headers, PayloadHash.Compute(Body));

        var source = new FixedSource("AKIDKEYHAVENBENCH01", new SigningCredential<string>("kEyHaVeNsEcReT/0123456789abcdefghijKLMNOP", "bench"));
        var clock = new FixedClock(Now);
        _warm = new SigV4Verifier<string>(new SigV4VerifierOptions("kms") { Region = "us-east-1" }, source, clock);
        _noCache = new SigV4Verifier<string>(new SigV4VerifierOptions("kms") { Region = "us-east-1", SigningKeyCacheCapacity = 0 }, source, clock);
        if (!Verify().IsSuccess || !VerifyWithoutKeyCache().IsSuccess)
        {
            throw new InvalidOperationException("The benchmark request does not verify.");
        }
    }

    /// <summary>Verify with a warm signing-key cache: the steady state of the server.</summary>
    [Benchmark(Baseline = true)]
    public SigV4VerificationResult<string> Verify() => _warm.VerifyAsync(_request).Result;

    /// <summary>Verify deriving the signing key every time (four extra HMACs): the cost the cache saves.</summary>
    [Benchmark]
    public SigV4VerificationResult<string> VerifyWithoutKeyCache() => _noCache.VerifyAsync(_request).Result;

    /// <summary>Hash of the ~100-byte body, which the server computes before calling Verify.</summary>
    [Benchmark]
    public PayloadHash HashBody() => PayloadHash.Compute(Body);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FixedSource(string accessKeyId, SigningCredential<string> credential) : ISigningCredentialSource<string>
    {
        public ValueTask<SigningCredential<string>?> FindAsync(string id, CancellationToken cancellationToken) =>
            new(id == accessKeyId ? credential : null);
    }
}
