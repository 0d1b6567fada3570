using System.Security.Cryptography;

namespace Keyhaven.Storage.Barrier;

/// <summary>
/// The 256-bit key that wraps the barrier's keyring. It lives in a file of its own (mode 0600), never in storage,
/// so a copy of the database alone reveals nothing. Dispose to zero it.
/// </summary>
public sealed class RootKey : IDisposable
{
    public const int Length = 32;
    private readonly byte[] _bytes;

    private RootKey(byte[] bytes) => _bytes = bytes;

    internal ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Loads the key at <paramref name="path"/>, creating it with fresh random bytes and mode 0600 when absent.</summary>
    /// <exception cref="InvalidDataException">The file is not exactly 32 bytes, or others may read it.</exception>
    public static RootKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(Length);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(path, options))
            {
                stream.Write(fresh);
                stream.Flush(flushToDisk: true);
            }

            return new RootKey(fresh);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                throw new InvalidDataException($"The root key file `{path}` is accessible to group or others (mode {Convert.ToString((int)mode, 8)}); run `chmod 600` on it.");
            }
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != Length)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new InvalidDataException($"The root key file `{path}` must hold exactly {Length} bytes.");
        }

        return new RootKey(bytes);
    }

    /// <summary>Wraps existing bytes (copied); for tests and key migration.</summary>
    public static RootKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A root key is exactly {Length} bytes.", nameof(bytes));
        }

        return new RootKey(bytes.ToArray());
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}
