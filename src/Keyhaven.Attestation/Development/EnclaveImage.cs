using System.Security.Cryptography;
using System.Text;

namespace Keyhaven.Attestation.Development;

/// <summary>
/// The measurements of a development enclave, in the places Nitro Enclaves puts them: PCR2 measures the application
/// (every file of its directory), PCR1 the bootstrap that runs it (the Keyhaven runner's own files), PCR0 the whole
/// image (both). Each directory is measured as a manifest — one line <c>SHA-384(content) relative/path</c> per file
/// (hex, <c>/</c> separators, every file including dot files, sorted by ordinal path) — so the same files give the
/// same PCRs on any machine, and renaming, adding, removing or changing any file changes them. PCR3 to PCR15 are zero.
/// </summary>
public sealed record EnclaveImage(byte[] Pcr0, byte[] Pcr1, byte[] Pcr2)
{
    private const int PcrCount = 16, PcrLength = 48;

    /// <summary>Measures the application in <paramref name="applicationDirectory"/> run by the files <paramref name="bootstrapFiles"/>.</summary>
    /// <exception cref="IOException">The directory holds no file, a file cannot be read, or a bootstrap file has no path.</exception>
    public static EnclaveImage Measure(string applicationDirectory, IReadOnlyList<string> bootstrapFiles)
    {
        var root = Path.GetFullPath(applicationDirectory);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => (Name: Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'), Path: path))
            .ToList();
        if (files.FirstOrDefault(f => f.Name.Contains('\n', StringComparison.Ordinal)) is { Name: not null } odd)
        {
            throw new IOException($"The file name `{odd.Name.ReplaceLineEndings(" ")}` holds a line break, which the manifest cannot measure unambiguously.");
        }

        if (files.Count == 0)
        {
            throw new IOException($"The application directory `{applicationDirectory}` holds no file to measure.");
        }

        if (bootstrapFiles.Count == 0 || bootstrapFiles.Any(string.IsNullOrEmpty))
        {
            throw new IOException("The runner's own files cannot be located to measure them (is this a single-file build?).");
        }

        var pcr2 = Manifest(files);
        var pcr1 = Manifest([.. bootstrapFiles.Select(path => (Path.GetFileName(path), path))]);
        return new EnclaveImage(SHA384.HashData([.. pcr1, .. pcr2]), pcr1, pcr2);
    }

    /// <summary>PCR0 to PCR15 as an attestation document carries them (unused registers zero).</summary>
    public IReadOnlyDictionary<int, byte[]> Pcrs()
    {
        var pcrs = Enumerable.Range(0, PcrCount).ToDictionary(i => i, _ => new byte[PcrLength]);
        pcrs[0] = Pcr0;
        pcrs[1] = Pcr1;
        pcrs[2] = Pcr2;
        return pcrs;
    }

    private static byte[] Manifest(IEnumerable<(string Name, string Path)> files)
    {
        var manifest = new StringBuilder();
        foreach (var (name, path) in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(path);
            manifest.Append(Convert.ToHexStringLower(SHA384.HashData(stream))).Append(' ').Append(name).Append('\n');
        }

        return SHA384.HashData(Encoding.UTF8.GetBytes(manifest.ToString()));
    }
}
