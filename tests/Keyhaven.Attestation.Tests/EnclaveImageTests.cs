using System.Security.Cryptography;
using System.Text;
using Keyhaven.Attestation.Development;

namespace Keyhaven.Attestation.Tests;

/// <summary>The measurements of a development enclave: deterministic, and changed by any change to the files.</summary>
public sealed class EnclaveImageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyhaven-image-").FullName;

    private string P(string name) => Path.Combine(_dir, name);

    private EnclaveImage Measure() => EnclaveImage.Measure(P("app"), [P("runner.dll")]);

    public EnclaveImageTests()
    {
        Directory.CreateDirectory(P("app/lib"));
        File.WriteAllText(P("app/main"), "main");
        File.WriteAllText(P("app/lib/util"), "util");
        File.WriteAllText(P("runner.dll"), "runner");
    }

    [Fact]
    public void The_PCRs_follow_the_documented_manifest()
    {
        static byte[] Manifest(string text) => SHA384.HashData(Encoding.UTF8.GetBytes(text));
        static string H(string content) => Convert.ToHexStringLower(SHA384.HashData(Encoding.UTF8.GetBytes(content)));
        var image = Measure();
        Assert.Equal(Manifest($"{H("util")} lib/util\n{H("main")} main\n"), image.Pcr2);
        Assert.Equal(Manifest($"{H("runner")} runner.dll\n"), image.Pcr1);
        Assert.Equal(SHA384.HashData([.. image.Pcr1, .. image.Pcr2]), image.Pcr0);
        Assert.Equal(16, image.Pcrs().Count);
        Assert.All(image.Pcrs().Where(p => p.Key > 2), p => Assert.Equal(new byte[48], p.Value));
        Assert.Equal(image.Pcr0, Measure().Pcr0);
    }

    [Fact]
    public void Changing_adding_renaming_a_file_or_the_runner_changes_the_image()
    {
        var seen = new HashSet<string> { Convert.ToHexString(Measure().Pcr0) };
        void Changed(Action change)
        {
            change();
            Assert.True(seen.Add(Convert.ToHexString(Measure().Pcr0)));
        }

        Assert.Equal(Convert.ToHexString(Measure().Pcr0), seen.Single());
        Changed(() => File.AppendAllText(P("app/main"), " "));
        Changed(() => File.WriteAllText(P("app/.hidden"), ""));
        Changed(() => File.Move(P("app/lib/util"), P("app/lib/util2")));
        Changed(() => File.AppendAllText(P("runner.dll"), " "));
    }

    [Fact]
    public void An_empty_application_is_refused()
    {
        Directory.CreateDirectory(P("empty"));
        Assert.Throws<IOException>(() => EnclaveImage.Measure(P("empty"), [P("runner.dll")]));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
