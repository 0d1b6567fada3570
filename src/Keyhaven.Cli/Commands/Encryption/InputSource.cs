namespace Keyhaven.Cli.Commands.Encryption;

/// <summary>Opens <c>-i</c>: standard input for <c>-</c>, else the file (with a progress bar on a terminal for large files).</summary>
internal static class InputSource
{
    private const long ProgressThreshold = 16 * 1024 * 1024;

    public static Stream Open(string path)
    {
        if (path == "-")
        {
            return Console.OpenStandardInput();
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"Cannot read `{path}`: {e.Message}");
        }

        return !Console.IsErrorRedirected && file.Length >= ProgressThreshold ? new ProgressStream(file, file.Length) : file;
    }
}
