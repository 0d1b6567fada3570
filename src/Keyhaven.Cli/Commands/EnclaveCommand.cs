using System.CommandLine;
using Keyhaven.Attestation.Development;

namespace Keyhaven.Cli.Commands;

/// <summary>
/// <c>keyhaven enclave init [--dir DIR]</c>: creates the development attestation root that development enclaves sign
/// with. Documents under it prove nothing about hardware; a server trusts it only with
/// <c>--trust-dev-attestation-root DIR/dev-attestation-root.pem</c>.
/// </summary>
internal static class EnclaveCommand
{
    public static Command Create()
    {
        var command = new Command("enclave", "Development enclaves: attestation documents for local development, never for production.");
        command.Subcommands.Add(CreateInit());
        return command;
    }

    private static Command CreateInit()
    {
        var directory = new Option<DirectoryInfo>("--dir") { Description = "Where to write the root.", DefaultValueFactory = _ => new DirectoryInfo("keyhaven-dev-enclave") };
        var command = new Command("init", "Create a development attestation root (its private key is written with mode 0600 and never overwritten).");
        command.Options.Add(directory);
        command.SetAction(parseResult =>
        {
            var target = parseResult.GetValue(directory)!.FullName;
            using var root = DevelopmentRoot.Create(DateTimeOffset.UtcNow);
            try
            {
                root.Save(target);
            }
            catch (IOException exception)
            {
                Console.Error.WriteLine(exception.Message);
                return 1;
            }

            Console.WriteLine($"Created a DEVELOPMENT attestation root in {target} (SHA-256 {root.Fingerprint}).");
            Console.WriteLine("Documents it signs prove nothing about real enclaves. To let a development server accept them:");
            Console.WriteLine($"  keyhaven serve --trust-dev-attestation-root {Path.Combine(target, DevelopmentRoot.CertificateFile)}");
            return 0;
        });
        return command;
    }
}
