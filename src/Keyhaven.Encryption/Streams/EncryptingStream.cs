using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Message;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Streams;

/// <summary>
/// A write-only stream: plaintext written to it leaves as an encrypted message on the destination stream, one frame
/// at a time, in memory bounded by two frames. <see cref="Complete"/> / <see cref="CompleteAsync"/> writes the final
/// frame and the footer; disposing without completing leaves a truncated message that every decryptor rejects.
/// Any failure while writing or completing (a write over the plaintext length bound, a destination error,
/// cancellation) faults the stream: later writes and completions throw <see cref="InvalidOperationException"/>, so no
/// final frame or footer ever follows a failure. Not thread safe.
/// </summary>
public sealed class EncryptingStream : Stream
{
    private readonly Stream _destination;
    private readonly EncryptionMaterials _materials;
    private readonly MessageEncryptor _encryptor;
    private readonly bool _leaveOpen;
    private readonly byte[] _plaintext;
    private readonly byte[] _frame;
    private readonly long? _plaintextLengthBound;
    private long _written;
    private int _buffered;
    private bool _headerWritten;
    private bool _completed;
    private bool _faulted;
    private bool _disposed;

    internal EncryptingStream(Stream destination, EncryptionMaterials materials, int frameLength, bool leaveOpen, long? plaintextLengthBound = null)
    {
        _plaintextLengthBound = plaintextLengthBound;
        _destination = destination;
        _materials = materials;
        _encryptor = new MessageEncryptor(materials, frameLength);
        _leaveOpen = leaveOpen;
        _plaintext = ArrayPool<byte>.Shared.Rent(frameLength);
        _frame = ArrayPool<byte>.Shared.Rent(MessageEncryptor.FrameSize(frameLength, final: true));
    }

    /// <summary>The full encryption context of the message (with <c>aws-crypto-public-key</c> for signed suites).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext => _materials.EncryptionContext;

    public AlgorithmSuiteId Suite => _materials.Suite.Id;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed && !_completed && !_faulted;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(rented);
            WriteCoreAsync(rented.AsMemory(0, buffer.Length), useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, buffer.Length));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(buffer, useAsync: true, cancellationToken);

    /// <summary>Writes the final frame and the footer, then flushes the destination.</summary>
    public void Complete() => CompleteCoreAsync(useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Complete"/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => CompleteCoreAsync(useAsync: true, cancellationToken);

    public override void Flush() => _destination.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _destination.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new InvalidOperationException("An earlier write or completion of this message failed; the message stays incomplete.");
        }

        if (_completed)
        {
            throw new InvalidOperationException("The message is complete; nothing more can be written.");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no allocation per frame
    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, bool useAsync, CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        try
        {
            await WriteFramesAsync(data, useAsync, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFramesAsync(ReadOnlyMemory<byte> data, bool useAsync, CancellationToken cancellationToken)
    {
        // spec: client-apis/encrypt.md#plaintext-length-bound — more than the bound fails at once, and the message
        // stays without its final frame.
        if (_plaintextLengthBound is { } bound && data.Length > bound - _written)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.InvalidInput, $"More than the plaintext length bound of {bound} bytes was written.");
        }

        _written += data.Length;

        await WriteHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
        var frameLength = _encryptor.FrameLength;
        while (!data.IsEmpty)
        {
            // A full buffered frame is written only once more data arrives, so the last frame is always final.
            if (_buffered == frameLength)
            {
                var length = _encryptor.WriteFrame(_plaintext.AsSpan(0, frameLength), final: false, _frame);
                _buffered = 0;
                await WriteOutAsync(_frame.AsMemory(0, length), useAsync, cancellationToken).ConfigureAwait(false);
            }

            var take = Math.Min(frameLength - _buffered, data.Length);
            data.Span[..take].CopyTo(_plaintext.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
        }
    }

    private async ValueTask CompleteCoreAsync(bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed && !_faulted)
        {
            return;
        }

        ThrowIfNotWritable();
        try
        {
            await WriteFinalFrameAndFooterAsync(useAsync, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    private async ValueTask WriteFinalFrameAndFooterAsync(bool useAsync, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(useAsync, cancellationToken).ConfigureAwait(false);
        var length = _encryptor.WriteFrame(_plaintext.AsSpan(0, _buffered), final: true, _frame);
        _buffered = 0;
        await WriteOutAsync(_frame.AsMemory(0, length), useAsync, cancellationToken).ConfigureAwait(false);
        var footer = _encryptor.WriteFooter();
        await WriteOutAsync(footer, useAsync, cancellationToken).ConfigureAwait(false);
        _completed = true;
        if (useAsync)
        {
            await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _destination.Flush();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteHeaderAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            await WriteOutAsync(_encryptor.Header, useAsync, cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteOutAsync(ReadOnlyMemory<byte> bytes, bool useAsync, CancellationToken cancellationToken)
    {
        if (useAsync)
        {
            await _destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _destination.Write(bytes.Span);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            Release();
            if (!_leaveOpen)
            {
                _destination.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            Release();
            if (!_leaveOpen)
            {
                await _destination.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        _disposed = true;
        _encryptor.Dispose();
        _materials.Dispose();
        CryptographicOperations.ZeroMemory(_plaintext);
        ArrayPool<byte>.Shared.Return(_plaintext);
        ArrayPool<byte>.Shared.Return(_frame);
    }
}
