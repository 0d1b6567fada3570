using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;
using Keyhaven.Server.Authorization;

namespace Keyhaven.Server.Kms;

/// <summary>One KMS operation: how to read its request, run it against the domain, and write its response.</summary>
internal abstract class KmsOperation(string name)
{
    public string Name { get; } = name;

    /// <summary>
    /// Reads the request, asks <paramref name="authorize"/> for every access it needs (which throws to refuse), runs
    /// the operation and writes the JSON response body (nothing for empty responses) to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="KmsException">The request is malformed or refused.</exception>
    public abstract ValueTask InvokeAsync(KmsCaller caller, ReadOnlyMemory<byte> body, Func<IReadOnlyList<KmsAccess>, ValueTask> authorize,
        IBufferWriter<byte> output, CancellationToken cancellationToken);
}

/// <summary>A typed <see cref="KmsOperation"/> over source-generated serializers.</summary>
internal sealed class KmsOperation<TRequest, TResponse>(
    string name,
    JsonTypeInfo<TRequest> requestType,
    JsonTypeInfo<TResponse> responseType,
    Func<TRequest, IReadOnlyList<KmsAccess>> access,
    Func<KmsCaller, TRequest, CancellationToken, ValueTask<TResponse>> handler,
    Action<TResponse>? clear = null) : KmsOperation(name)
    where TRequest : class
{
    public override async ValueTask InvokeAsync(KmsCaller caller, ReadOnlyMemory<byte> body, Func<IReadOnlyList<KmsAccess>, ValueTask> authorize,
        IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var request = Deserialize(body.Span);
        await authorize(access(request));
        var response = await handler(caller, request, cancellationToken);
        try
        {
            if (response is not Model.EmptyResponse)
            {
                using var writer = new Utf8JsonWriter(output);
                JsonSerializer.Serialize(writer, response, responseType);
            }
        }
        finally
        {
            clear?.Invoke(response);
        }
    }

    private TRequest Deserialize(ReadOnlySpan<byte> body)
    {
        try
        {
            // An empty body is an empty request, as the AWS JSON protocol treats it.
            var request = body.IsEmpty ? JsonSerializer.Deserialize("{}"u8, requestType) : JsonSerializer.Deserialize(body, requestType);
            return request ?? throw new KmsException(KmsErrorCode.SerializationException, "The request body must be a JSON object.");
        }
        catch (JsonException exception)
        {
            var member = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "the request body" : $"member `{exception.Path.TrimStart('$', '.')}`";
            throw new KmsException(KmsErrorCode.SerializationException, $"Could not read {member}: it is not valid JSON or has the wrong type.");
        }
    }
}
