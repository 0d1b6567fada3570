using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Keyhaven.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyhaven.LoadGenerator;

/// <summary>
/// The baseline: a bare Kestrel route with the least work an Encrypt can do. It reads the body into a pooled buffer,
/// deserializes the same AWS JSON Encrypt request with a source-generated System.Text.Json context (as the server
/// does), decodes the base64 plaintext, encrypts it once with AES-256-GCM under a fixed key and a random nonce, and
/// answers <c>{"CiphertextBlob","KeyId","EncryptionAlgorithm"}</c>. No authentication, no storage, no audit.
/// The host is built the same way as the server's (<c>WebApplication.CreateSlimBuilder</c>, no logging providers,
/// one terminal <c>app.Run</c> handler) so the difference measured is the server's pipeline, not the host.
/// With <c>--verify-sigv4</c> it also verifies the request's SigV4 signature with <see cref="SigV4Verifier{TPrincipal}"/>
/// (the server's verifier, fixed in-memory credential) before parsing: a diagnostic step between the bare baseline
/// and the full server that shows how much of the gap is authentication.
/// </summary>
internal static class BaselineServer
{
    public const string ReadyLine = "Baseline listening";
    private const int MaxBodyLength = 256 * 1024;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Environment variables that carry the throwaway credential for <c>--verify-sigv4</c> (not argv: ps shows argv).</summary>
    public const string AccessKeyIdVariable = "KEYHAVEN_LOADGEN_ACCESS_KEY_ID";
    public const string SecretVariable = "KEYHAVEN_LOADGEN_SECRET";

    /// <summary>Runs until SIGTERM/Ctrl-C. Arguments: <c>--listen 127.0.0.1:PORT [--verify-sigv4]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        bool verify = args.Length == 3 && args[2] == "--verify-sigv4";
        if ((args.Length != 2 && !verify) || args[0] != "--listen" || !IPEndPoint.TryParse(args[1], out var listen) || !IPAddress.IsLoopback(listen.Address))
        {
            await Console.Error.WriteLineAsync("Usage: Keyhaven.LoadGenerator baseline --listen 127.0.0.1:PORT [--verify-sigv4] (loopback only)");
            return 2;
        }

        SigV4Verifier<string>? verifier = null;
        if (verify)
        {
            string? accessKeyId = Environment.GetEnvironmentVariable(AccessKeyIdVariable);
            string? secret = Environment.GetEnvironmentVariable(SecretVariable);
            if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(secret))
            {
                await Console.Error.WriteLineAsync($"--verify-sigv4 needs {AccessKeyIdVariable} and {SecretVariable} in the environment.");
                return 2;
            }

            verifier = new SigV4Verifier<string>(new SigV4VerifierOptions("kms") { Region = "us-east-1" },
                new FixedCredentialSource(accessKeyId, new SigningCredential<string>(secret, "baseline")), TimeProvider.System);
        }

        // Fixed key: the baseline is a cost floor, not a key manager. Zeroed on exit.
        byte[] key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(listen);
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = MaxBodyLength + 1;
            });
            await using var app = builder.Build();
            app.Run(context => HandleAsync(context, key, verifier));
            await app.StartAsync();
            Console.WriteLine($"{ReadyLine} on http://{listen}");
            await app.WaitForShutdownAsync();
            return 0;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static async Task HandleAsync(HttpContext context, byte[] key, SigV4Verifier<string>? verifier)
    {
        int capacity = (int)Math.Min(context.Request.ContentLength ?? 4096, MaxBodyLength) + 1;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(capacity);
        int length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }

            if (length > MaxBodyLength || length == buffer.Length)
            {
                context.Response.StatusCode = 413;
                return;
            }

            if (verifier is not null)
            {
                var verification = await verifier.VerifyAsync(ToSigV4Request(context, buffer.AsSpan(0, length)), context.RequestAborted);
                if (!verification.IsSuccess)
                {
                    context.Response.StatusCode = verification.Error!.HttpStatusCode;
                    return;
                }
            }

            var request = JsonSerializer.Deserialize(buffer.AsSpan(0, length), BaselineJsonContext.Default.BaselineEncryptRequest);
            if (request?.KeyId is not { } keyId || request.Plaintext is not { Length: > 0 } plaintext)
            {
                context.Response.StatusCode = 400;
                return;
            }

            byte[] blob = new byte[NonceSize + plaintext.Length + TagSize];
            var nonce = blob.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(key, TagSize))
            {
                aes.Encrypt(nonce, plaintext, blob.AsSpan(NonceSize, plaintext.Length), blob.AsSpan(NonceSize + plaintext.Length, TagSize));
            }

            CryptographicOperations.ZeroMemory(plaintext);
            byte[] response = JsonSerializer.SerializeToUtf8Bytes(
                new BaselineEncryptResponse(blob, keyId, "SYMMETRIC_DEFAULT"), BaselineJsonContext.Default.BaselineEncryptResponse);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-amz-json-1.1";
            context.Response.ContentLength = response.Length;
            await context.Response.Body.WriteAsync(response, context.RequestAborted);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, Math.Min(length, buffer.Length)));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The same conversion as the server's KmsEndpoint: raw target, every header value, SHA-256 of the body.
    private static SigV4Request ToSigV4Request(HttpContext context, ReadOnlySpan<byte> body)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        var headers = new List<HttpHeader>(context.Request.Headers.Count + 2);
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new HttpHeader(name, value ?? string.Empty));
            }
        }

        return new SigV4Request(context.Request.Method, rawPath, rawQuery, headers, PayloadHash.Compute(body));
    }

    private sealed class FixedCredentialSource(string accessKeyId, SigningCredential<string> credential) : ISigningCredentialSource<string>
    {
        public ValueTask<SigningCredential<string>?> FindAsync(string requestedAccessKeyId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(requestedAccessKeyId == accessKeyId ? credential : null);
    }
}

internal sealed record BaselineEncryptRequest(string? KeyId, byte[]? Plaintext);

internal sealed record BaselineEncryptResponse(byte[] CiphertextBlob, string KeyId, string EncryptionAlgorithm);

[JsonSerializable(typeof(BaselineEncryptRequest))]
[JsonSerializable(typeof(BaselineEncryptResponse))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
