namespace Keyhaven.Attestation.Tests;

/// <summary>The real Nitro attestation documents in ../shared/fixtures/nitro, with the timestamps they carry.</summary>
public static class NitroFixtures
{
    public static readonly (string File, DateTimeOffset Timestamp)[] Documents =
    [
        ("prod-2021-03-17.cbor", DateTimeOffset.Parse("2021-03-17T22:01:55Z")),
        ("prod-rsa-recipient-2021-03-24.cbor", DateTimeOffset.Parse("2021-03-24T16:10:41Z")),
        ("debug-rsa-recipient-nonce-2024-01-24.cbor", DateTimeOffset.Parse("2024-01-24T18:14:25Z")),
        ("prod-pcr8-2022-10-13.cbor", DateTimeOffset.Parse("2022-10-13T08:58:02Z")),
    ];

    public static string Directory
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Keyhaven.slnx not found above the test binaries.");
            }

            return Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures", "nitro"));
        }
    }

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    /// <summary>The document's own timestamp, to the millisecond (the README gives it to the second).</summary>
    public static DateTimeOffset At(string file) => Documents.Single(d => d.File == file).Timestamp;
}
