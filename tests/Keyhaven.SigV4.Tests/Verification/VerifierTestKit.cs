using System.Text;

namespace Keyhaven.SigV4.Tests.Verification;

/// <summary>A clock the test sets.</summary>
internal sealed class PinnedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Credential source backed by a dictionary; optionally completes asynchronously.</summary>
internal sealed class InMemoryCredentialSource : ISigningCredentialSource<string>
{
    private readonly Dictionary<string, SigningCredential<string>> _keys = new(StringComparer.Ordinal);

    public bool Asynchronous { get; init; }

    public int Lookups { get; private set; }

    public InMemoryCredentialSource Add(string accessKeyId, string secret, string principal)
    {
        _keys[accessKeyId] = new SigningCredential<string>(secret, principal);
        return this;
    }

    public async ValueTask<SigningCredential<string>?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        Lookups++;
        if (Asynchronous)
        {
            await Task.Yield();
        }

        return _keys.GetValueOrDefault(accessKeyId);
    }
}

/// <summary>Builds a typical KMS request, signs it, and turns it into a <see cref="SigV4Request"/>.</summary>
internal static class KmsRequests
{
    public const string AccessKeyId = "AKIDKEYHAVEN0001";
    public const string Secret = "kEyHaVeNsEcReT/0123456789abcdefghijKLMNOP";
    public const string Region = "us-east-1";
    public static readonly DateTimeOffset SigningTime = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"KeyId\":\"alias/keyhaven-bench\",\"Plaintext\":\"SGVsbG8sIEtleWhhdmVuIQ==\",\"EncryptionContext\":{\"a\":\"b\"}}");

    public static List<HttpHeader> BaseHeaders() =>
    [
        new("Host", "kms.us-east-1.amazonaws.com"),
        new("Content-Type", "application/x-amz-json-1.1"),
        new("X-Amz-Target", "TrentService.Encrypt"),
    ];

    public static SigV4Signer Signer(string secret = Secret, string? token = null, string service = "kms", string region = Region) =>
        new(new SigV4Credentials(AccessKeyId, secret, token), region, service);

    /// <summary>Signs a KMS Encrypt POST and returns the request as the server would see it.</summary>
    public static SigV4Request SignedPost(SigV4Signer? signer = null, DateTimeOffset? time = null, byte[]? body = null, string path = "/", string query = "")
    {
        body ??= Body;
        List<HttpHeader> headers = BaseHeaders();
        var toSign = new SigV4SigningRequest("POST", path, query, headers, PayloadHash.Compute(body));
        SigV4SignedRequest signed = (signer ?? Signer()).Sign(toSign, new SigV4SigningOptions { SigningTime = time ?? SigningTime });
        headers.AddRange(signed.HeadersToAdd);
        return new SigV4Request("POST", path, query, headers, PayloadHash.Compute(body));
    }

    /// <summary>Presigns a GET and returns the request as the server would see it.</summary>
    public static SigV4Request PresignedGet(TimeSpan expires, SigV4Signer? signer = null, DateTimeOffset? time = null, string query = "Action=ListKeys")
    {
        List<HttpHeader> headers = [new("Host", "kms.us-east-1.amazonaws.com")];
        var toSign = new SigV4SigningRequest("GET", "/", query, headers, PayloadHash.Empty);
        SigV4PresignedRequest presigned = (signer ?? Signer()).Presign(toSign, expires, new SigV4SigningOptions { SigningTime = time ?? SigningTime });
        return new SigV4Request("GET", "/", presigned.Query, headers, PayloadHash.Empty);
    }

    public static SigV4Verifier<string> Verifier(PinnedTimeProvider clock, InMemoryCredentialSource? source = null, SigV4VerifierOptions? options = null) =>
        new(options ?? new SigV4VerifierOptions("kms") { Region = Region }, source ?? new InMemoryCredentialSource().Add(AccessKeyId, Secret, "alice"), clock);

    public static SigV4Request WithHeader(this SigV4Request request, string name, string value) =>
        request with { Headers = request.Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Append(new HttpHeader(name, value)).ToList() };

    public static SigV4Request WithoutHeader(this SigV4Request request, string name) =>
        request with { Headers = request.Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).ToList() };

    public static string Header(this SigV4Request request, string name) =>
        request.Headers.First(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
