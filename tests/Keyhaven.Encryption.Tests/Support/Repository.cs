namespace Keyhaven.Encryption.Tests.Support;

/// <summary>Paths relative to the repository root (the folder holding Keyhaven.slnx).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The shared fixtures beside the checkout: ../shared/fixtures.</summary>
    public static string Fixtures => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyhaven.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Keyhaven.slnx not found above the test assembly.");
    }
}
