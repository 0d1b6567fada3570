using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Keyhaven.Cli.Commands.Enclave;

/// <summary>
/// The local channel between a development enclave and its parent: a Unix domain stream socket, one connection per
/// exchange, one JSON line each way. (Nitro enclaves talk over vsock; a development enclave is an ordinary process.)
/// </summary>
internal static class EnclaveChannel
{
    /// <summary>The longest line either side accepts.</summary>
    public const int MaxLine = 1 << 20;

    /// <summary>Sends <paramref name="request"/> to the enclave listening on <paramref name="socketPath"/> and reads its answer.</summary>
    /// <exception cref="IOException">The enclave cannot be reached or answers with something unreadable.</exception>
    public static async Task<EnclaveResponse> AskAsync(string socketPath, EnclaveRequest request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException exception)
        {
            throw new IOException($"No enclave answers on `{socketPath}`: {exception.Message}", exception);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await WriteLineAsync(stream, request, EnclaveJsonContext.Default.EnclaveRequest, cancellationToken);
        return await ReadLineAsync(stream, EnclaveJsonContext.Default.EnclaveResponse, cancellationToken)
            ?? throw new IOException("The enclave closed the connection without an answer.");
    }

    public static async Task WriteLineAsync<T>(Stream stream, T message, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(message, type);
        await stream.WriteAsync(line, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one JSON line of at most <see cref="MaxLine"/> bytes; null when the peer closed first.</summary>
    /// <exception cref="IOException">The line is too long or not the expected JSON.</exception>
    public static async Task<T?> ReadLineAsync<T>(Stream stream, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var line = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return line.Length == 0 ? null : Parse(line, type);
            }

            var end = Array.IndexOf(buffer, (byte)'\n', 0, read);
            line.Write(buffer, 0, end < 0 ? read : end);
            if (line.Length > MaxLine)
            {
                throw new IOException($"A message is longer than {MaxLine} bytes.");
            }

            if (end >= 0)
            {
                return Parse(line, type);
            }
        }
    }

    private static T Parse<T>(MemoryStream line, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(line.GetBuffer().AsSpan(0, (int)line.Length), type) ?? throw new IOException("The message is JSON null.");
        }
        catch (JsonException exception)
        {
            throw new IOException("The message is not valid JSON: " + exception.Message, exception);
        }
    }
}
