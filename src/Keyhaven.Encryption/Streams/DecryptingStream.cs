using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Keyhaven.Encryption.Message;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption.Streams;

/// <summary>
/// A read-only stream of the plaintext of one message read from a source stream. Framed messages are decrypted one
/// frame at a time in memory bounded by about two frames; each frame's plaintext is released only after it
/// authenticates, and (unless <see cref="SignedMessagePolicy.ReleaseBeforeVerification"/>) plaintext of signed
/// messages only after the signature verifies; the final frame and non-framed content of a signed message are always
/// held until the signature verifies. Reading past the end checks that nothing follows the message.
/// Failures throw <see cref="EncryptionSdkException"/>. Not thread safe.
/// </summary>
public sealed class DecryptingStream : Stream
{
    private const int InitialBufferSize = 64 * 1024;
    private readonly Stream _source;
    private readonly MessageDecryptor _decryptor;
    private readonly DecryptOptions _options;
    private readonly bool _leaveOpen;
    private byte[] _input = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _inputStart;
    private int _inputEnd;
    private byte[] _output = [];
    private int _outputStart;
    private int _outputEnd;
    private bool _holdBack;
    private bool _sourceEnded;
    private bool _disposed;

    internal DecryptingStream(Stream source, MessageDecryptor decryptor, DecryptOptions options, bool leaveOpen)
    {
        _source = source;
        _decryptor = decryptor;
        _options = options;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The message's encryption context; available after <see cref="ReadHeaderAsync"/> or the first read.</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext => _decryptor.EncryptionContext;

    /// <summary>The message's suite; available after <see cref="ReadHeaderAsync"/> or the first read.</summary>
    public AlgorithmSuiteId Suite => _decryptor.Suite.Id;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Reads and authenticates the header (materials, key commitment, header tag) without reading the body.</summary>
    public async ValueTask ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_decryptor.Stage == DecryptorStage.Header)
        {
            await AdvanceAsync(useAsync: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_outputStart == _outputEnd && _decryptor.Stage != DecryptorStage.Done)
        {
            AdvanceAsync(useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per frame
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_outputStart == _outputEnd && _decryptor.Stage != DecryptorStage.Done)
        {
            await AdvanceAsync(useAsync: true, cancellationToken).ConfigureAwait(false);
        }

        return CopyOut(buffer.Span);
    }

    private int CopyOut(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _outputEnd - _outputStart);
        _output.AsSpan(_outputStart, count).CopyTo(buffer);
        _outputStart += count;
        return count;
    }

    /// <summary>Processes the next record: the header, one body record, or the footer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no allocation per frame
    private async ValueTask AdvanceAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var stage = _decryptor.Stage;
        var length = await FillAsync(useAsync, cancellationToken).ConfigureAwait(false);
        var record = _input.AsMemory(_inputStart, length);
        switch (stage)
        {
            case DecryptorStage.Header:
                await _decryptor.ReadHeaderAsync(record, cancellationToken).ConfigureAwait(false);
                _holdBack = _decryptor.Suite.IsSigning && _options.SignedMessages == SignedMessagePolicy.BufferUntilVerified;
                _output = ArrayPool<byte>.Shared.Rent(Math.Max(1, _decryptor.MaxRecordPlaintext == 0 ? length : _decryptor.MaxRecordPlaintext));
                break;
            case DecryptorStage.Body:
                if (!_holdBack)
                {
                    _outputStart = _outputEnd = 0;
                }

                EnsureOutputRoom(length);
                _outputEnd += _decryptor.DecryptRecord(record.Span, _output.AsSpan(_outputEnd));
                if (_holdBack && _outputEnd > _options.MaxBufferedPlaintext)
                {
                    throw HoldBackExceeded();
                }

                break;
            case DecryptorStage.Footer:
                _decryptor.VerifyFooter(record.Span);
                break;
        }

        _inputStart += length;
        var done = _decryptor.Stage == DecryptorStage.Done;
        if (done)
        {
            await EnsureNothingFollowsAsync(useAsync, cancellationToken).ConfigureAwait(false);
        }

        // spec: client-apis/decrypt.md#decrypt-the-message-body — whatever the policy, the plaintext of a signed
        // message's final frame (or non-framed content) waits for the signature; only regular frames may leave early.
        _holdBack |= _decryptor.Stage == DecryptorStage.Footer;
        if (_holdBack)
        {
            // Held-back plaintext accumulates unreleased until the whole message, signature included, verified.
            _outputStart = done ? 0 : _outputEnd;
            _holdBack = !done;
        }
    }

    private void EnsureOutputRoom(int recordLength)
    {
        var needed = _outputEnd + recordLength;
        if (needed <= _output.Length)
        {
            return;
        }

        if (_holdBack && _outputEnd > _options.MaxBufferedPlaintext)
        {
            throw HoldBackExceeded();
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, (int)Math.Min(Array.MaxLength, _output.Length * 2L)));
        _output.AsSpan(0, _outputEnd).CopyTo(larger);
        ReturnOutput();
        _output = larger;
    }

    private EncryptionSdkException HoldBackExceeded() => new(EncryptionSdkErrorReason.UnverifiedPlaintextRefused,
        $"The signed message's plaintext exceeds the {_options.MaxBufferedPlaintext} bytes that may be held back until its signature is verified; decrypt it with SignedMessagePolicy.ReleaseBeforeVerification, or raise MaxBufferedPlaintext.");

    /// <summary>Reads from the source until the next record is buffered; returns its length.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(bool useAsync, CancellationToken cancellationToken)
    {
        while (true)
        {
            var needed = _decryptor.RequiredBytes(_input.AsSpan(_inputStart, _inputEnd - _inputStart));
            if (needed <= _inputEnd - _inputStart)
            {
                return needed;
            }

            if (_sourceEnded)
            {
                throw MessageDecryptor.Truncated();
            }

            MakeRoom(needed);
            var read = useAsync
                ? await _source.ReadAsync(_input.AsMemory(_inputEnd), cancellationToken).ConfigureAwait(false)
                : _source.Read(_input.AsSpan(_inputEnd));
            if (read == 0)
            {
                _sourceEnded = true;
            }

            _inputEnd += read;
        }
    }

    private void MakeRoom(int needed)
    {
        var buffered = _inputEnd - _inputStart;
        if (needed > _input.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(needed);
            _input.AsSpan(_inputStart, buffered).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_input);
            _input = larger;
        }
        else if (_inputStart + needed > _input.Length || _inputEnd == _input.Length)
        {
            _input.AsSpan(_inputStart, buffered).CopyTo(_input);
        }
        else
        {
            return;
        }

        _inputStart = 0;
        _inputEnd = buffered;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnsureNothingFollowsAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (_inputEnd == _inputStart && !_sourceEnded)
        {
            _inputStart = _inputEnd = 0;
            var read = useAsync
                ? await _source.ReadAsync(_input.AsMemory(0, 1), cancellationToken).ConfigureAwait(false)
                : _source.Read(_input.AsSpan(0, 1));
            _inputEnd = read;
            _sourceEnded = read == 0;
        }

        if (_inputEnd != _inputStart)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.MalformedMessage, "Bytes follow the end of the message.");
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void ReturnOutput()
    {
        if (_output.Length > 0)
        {
            CryptographicOperations.ZeroMemory(_output);
            ArrayPool<byte>.Shared.Return(_output);
        }

        _output = [];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _decryptor.Dispose();
            ReturnOutput();
            ArrayPool<byte>.Shared.Return(_input);
            if (!_leaveOpen)
            {
                _source.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
