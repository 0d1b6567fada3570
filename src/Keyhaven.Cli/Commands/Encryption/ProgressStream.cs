namespace Keyhaven.Cli.Commands.Encryption;

/// <summary>A read-only pass-through stream that draws a progress bar on standard error as it is read.</summary>
internal sealed class ProgressStream(Stream inner, long length) : Stream
{
    private const int Width = 40;
    private long _read;
    private int _shownPercent = -1;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        var percent = length == 0 ? 100 : (int)(_read * 100 / length);
        if (percent != _shownPercent)
        {
            _shownPercent = percent;
            var filled = percent * Width / 100;
            Console.Error.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}%");
            if (read == 0 || percent == 100)
            {
                Console.Error.WriteLine();
            }
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
