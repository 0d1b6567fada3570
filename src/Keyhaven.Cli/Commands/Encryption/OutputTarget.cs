namespace Keyhaven.Cli.Commands.Encryption;

/// <summary>
/// Where output goes: standard output for <c>-</c>, else a temporary file beside the target that replaces it only on
/// <see cref="CommitAsync"/>. Disposing without committing deletes the temporary file, so a failure leaves no partial
/// output behind.
/// </summary>
internal sealed class OutputTarget : IAsyncDisposable
{
    private readonly string? _path;
    private readonly string? _temporary;
    private bool _committed;

    private OutputTarget(Stream stream, string? path, string? temporary)
    {
        Stream = stream;
        _path = path;
        _temporary = temporary;
    }

    public Stream Stream { get; }

    public bool IsStandardOutput => _path is null;

    public static OutputTarget Open(string path)
    {
        if (path == "-")
        {
            return new OutputTarget(Console.OpenStandardOutput(), null, null);
        }

        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 16 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // plaintext may land here
            }

            var stream = new FileStream(temporary, options);
            return new OutputTarget(stream, full, temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"Cannot write `{path}`: {e.Message}");
        }
    }

    /// <summary>Flushes and moves the temporary file into place.</summary>
    public async Task CommitAsync()
    {
        await Stream.FlushAsync();
        if (_path is not null)
        {
            await Stream.DisposeAsync();
            File.Move(_temporary!, _path, overwrite: true);
        }

        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (!_committed && _temporary is not null)
        {
            File.Delete(_temporary);
        }
    }
}
