using System.CommandLine;
using System.Text.Json;
using Amazon.KeyManagementService;
using Keyhaven.Attestation.Development;

namespace Keyhaven.Cli.Commands.Enclave;

/// <summary>
/// <c>keyhaven enclave</c>: development enclaves, honestly labelled.
/// <list type="bullet">
/// <item><c>init [--dir DIR]</c> creates the development attestation root (a server trusts it only with
/// <c>--trust-dev-attestation-root DIR/dev-attestation-root.pem</c>).</item>
/// <item><c>measure --app DIR</c> prints the PCRs a development enclave running that application attests.</item>
/// <item><c>run --root DIR --app DIR --socket PATH [--name NAME]</c> runs a development enclave.</item>
/// <item><c>parent --socket PATH --ciphertext-blob FILE --data FILE [--endpoint-url URL] [--region R]</c> is the sample
/// parent: it has the enclave decrypt data with a data key KMS releases only to the enclave.</item>
/// </list>
/// </summary>
internal static class EnclaveCommand
{
    public static Command Create()
    {
        var command = new Command("enclave", "Development enclaves: attestation documents for local development, never for production.");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateMeasure());
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateParent());
        return command;
    }

    /// <summary>The files of the runner itself, measured into PCR1: this program and the attestation library.</summary>
    private static string[] BootstrapFiles => [typeof(EnclaveCommand).Assembly.Location, typeof(DevelopmentRoot).Assembly.Location];

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

    private static Option<DirectoryInfo> AppOption() => new("--app") { Description = "The application directory: every file in it is measured (PCR2, and PCR0).", Required = true };

    private static Command CreateMeasure()
    {
        var app = AppOption();
        var command = new Command("measure", "Print (JSON) the PCRs a development enclave running this application attests: what a key policy names.") { app };
        command.SetAction(parseResult =>
        {
            EnclaveImage image;
            try
            {
                image = EnclaveImage.Measure(parseResult.GetValue(app)!.FullName, BootstrapFiles);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(exception.Message);
                return 2;
            }

            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["ImageSha384"] = Convert.ToHexStringLower(image.Pcr0),
                ["PCR0"] = Convert.ToHexStringLower(image.Pcr0),
                ["PCR1"] = Convert.ToHexStringLower(image.Pcr1),
                ["PCR2"] = Convert.ToHexStringLower(image.Pcr2),
            }, Indented));
            return 0;
        });
        return command;
    }

    private static Command CreateRun()
    {
        var root = new Option<DirectoryInfo>("--root") { Description = "The development attestation root's directory (keyhaven enclave init --dir).", Required = true };
        var app = AppOption();
        var socket = new Option<FileInfo>("--socket") { Description = "The Unix socket to listen on for the parent (created with mode 0600).", Required = true };
        var name = new Option<string>("--name") { Description = "The enclave's name; its module id is dev:NAME.", DefaultValueFactory = _ => "enclave" };
        var command = new Command("run", "Run a DEVELOPMENT enclave: attestation documents for its measured application, an RSA key in memory only, a Unix socket to its parent.")
        {
            root, app, socket, name,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            DevelopmentRoot developmentRoot;
            EnclaveImage image;
            try
            {
                developmentRoot = DevelopmentRoot.Load(parseResult.GetValue(root)!.FullName);
                image = EnclaveImage.Measure(parseResult.GetValue(app)!.FullName, BootstrapFiles);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 2;
            }

            // SIGTERM and SIGINT stop the enclave cleanly: the socket file is removed and the key dies with the process.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
            using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
            void Stop(System.Runtime.InteropServices.PosixSignalContext context)
            {
                context.Cancel = true;
                stopping.Cancel();
            }

            using (developmentRoot)
            using (var enclave = new DevelopmentEnclave(developmentRoot, image, parseResult.GetValue(name)!, TimeProvider.System))
            {
                var path = parseResult.GetValue(socket)!.FullName;
                await Console.Error.WriteLineAsync("WARNING: a DEVELOPMENT enclave: an ordinary process that isolates nothing; its documents prove nothing about real enclaves.");
                try
                {
                    await enclave.RunAsync(path, () =>
                    {
                        Console.WriteLine($"PCR0 (ImageSha384) {Convert.ToHexStringLower(image.Pcr0)}");
                        Console.WriteLine($"PCR1 {Convert.ToHexStringLower(image.Pcr1)}");
                        Console.WriteLine($"PCR2 {Convert.ToHexStringLower(image.Pcr2)}");
                        Console.WriteLine($"Development enclave {DevelopmentAttestor.ModulePrefix}{parseResult.GetValue(name)} is listening on {path}");
                    }, stopping.Token);
                }
                catch (IOException exception)
                {
                    await Console.Error.WriteLineAsync(exception.Message);
                    return 2;
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateParent()
    {
        var socket = new Option<FileInfo>("--socket") { Description = "The enclave's Unix socket.", Required = true };
        var blob = new Option<FileInfo>("--ciphertext-blob") { Description = "The encrypted data key (GenerateDataKey's CiphertextBlob, binary).", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "The data encrypted under the data key: nonce (12) | ciphertext | tag (16), AES-256-GCM.", Required = true };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "KMS endpoint (e.g. a Keyhaven server); default: the AWS SDK's configuration." };
        var region = new Option<string?>("--region") { Description = "AWS region; default: the AWS SDK's configuration." };
        var command = new Command("parent", "Sample parent: has the enclave decrypt data with a data key that KMS releases only to the attested enclave.")
        {
            socket, blob, data, endpoint, region,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                using var kms = EnclaveParent.CreateKmsClient(parseResult.GetValue(endpoint), parseResult.GetValue(region));
                var parent = new EnclaveParent(parseResult.GetValue(socket)!.FullName, kms);
                var answer = await parent.DecryptDataAsync(
                    await File.ReadAllBytesAsync(parseResult.GetValue(blob)!.FullName, cancellationToken),
                    await File.ReadAllBytesAsync(parseResult.GetValue(data)!.FullName, cancellationToken), cancellationToken);
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["plaintext_sha256"] = answer.PlaintextSha256,
                    ["plaintext_length"] = answer.PlaintextLength,
                }, Indented));
                return 0;
            }
            catch (AmazonKeyManagementServiceException exception)
            {
                await Console.Error.WriteLineAsync($"{exception.ErrorCode}: {exception.Message}");
                return 1;
            }
            catch (IOException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 1;
            }
        });
        return command;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
