using System.CommandLine;
using System.Runtime.InteropServices;
using Keyhaven.Attestation.Development;
using Keyhaven.Server.Hosting;
using Keyhaven.Server.Network;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Cli.Commands;

/// <summary><c>keyhaven serve</c>: runs the server (on the embedded SQLite store, or on PostgreSQL) until SIGTERM or Ctrl-C.</summary>
internal static class ServeCommand
{
    /// <summary>The environment variable that names the storage when <c>--storage</c> is not given (keeps passwords out of argv).</summary>
    public const string StorageVariable = "KEYHAVEN_STORAGE";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data directory (created on first start).", DefaultValueFactory = _ => "./keyhaven-data" };
        var listen = new Option<string>("--listen") { Description = "Address and port to listen on.", DefaultValueFactory = _ => "127.0.0.1:4599" };
        var region = new Option<string>("--region")
        {
            Description = "The AWS region(s) this server answers for, comma-separated (us-east-1,eu-west-1); the first is the default.",
            DefaultValueFactory = _ => "us-east-1",
        };
        var rootKey = new Option<string?>("--root-key") { Description = "Root key file (default: DATA/root.key; created with mode 0600)." };
        var storage = new Option<string?>("--storage")
        {
            Description = $"Where records live: sqlite://PATH (default: DATA/keyhaven.db) or postgres://user:password@host:port/database " +
                $"(or an Npgsql connection string); default: ${StorageVariable}. Nodes sharing one PostgreSQL need the same root key.",
        };
        var config = new Option<string?>("--config") { Description = "Network configuration (JSON): VPCs, VPC endpoints, instance metadata, federation. Reloaded on SIGHUP. See docs/network.md." };
        var trustDevRoot = new Option<string?>("--trust-dev-attestation-root")
        {
            Description = "Also accept attestation documents signed by this DEVELOPMENT root (keyhaven enclave init). For development only.",
        };
        var command = new Command("serve", "Run the Keyhaven server (AWS KMS API) on the embedded SQLite store or a shared PostgreSQL.")
        {
            data, listen, region, rootKey, storage, config, trustDevRoot,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            KeyhavenServerOptions options;
            try
            {
                options = new KeyhavenServerOptions
                {
                    DataDirectory = parseResult.GetValue(data)!,
                    Listen = KeyhavenServerOptions.ParseListen(parseResult.GetValue(listen)!),
                    Regions = KeyhavenServerOptions.ParseRegions(parseResult.GetValue(region)!),
                    RootKeyPath = parseResult.GetValue(rootKey),
                    Storage = (parseResult.GetValue(storage) ?? Environment.GetEnvironmentVariable(StorageVariable)) is { Length: > 0 } location
                        ? StorageLocation.Parse(location)
                        : null,
                    Network = parseResult.GetValue(config) is { } path ? NetworkConfiguration.Load(path) : new NetworkConfiguration(),
                    TrustedDevelopmentAttestationRoots = parseResult.GetValue(trustDevRoot) is { } devRoot ? [DevelopmentRoot.FingerprintOf(devRoot)] : [],
                };
            }
            catch (FormatException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 2;
            }

            await using var server = await KeyhavenServer.StartAsync(options, cancellationToken: cancellationToken);
            if (server.Deployment.NewAccessKey is { } created)
            {
                Console.WriteLine($"Initialized {Path.GetFullPath(options.DataDirectory)} for account {server.Deployment.Account}.");
                Console.WriteLine("Bootstrap administrator credentials (shown once; also in the credentials file below):");
                Console.WriteLine($"  aws_access_key_id     = {created.AccessKeyId}");
                Console.WriteLine($"  aws_secret_access_key = {created.SecretAccessKey}");
                Console.WriteLine($"  credentials file      = {Path.GetFullPath(options.CredentialsPath)} (profile keyhaven)");
            }

            Console.WriteLine($"Keyhaven is serving the KMS API for account {server.Deployment.Account} in {string.Join(", ", options.Regions)} at {server.Endpoint} (records in {options.ResolvedStorage})");
            if (options.TrustedDevelopmentAttestationRoots.Count > 0)
            {
                await Console.Error.WriteLineAsync("WARNING: trusting a DEVELOPMENT attestation root: Recipient accepts documents that prove nothing about real enclaves. Never do this in production.");
            }

            foreach (var endpoint in options.Network.VpcEndpoints)
            {
                Console.WriteLine($"VPC endpoint {endpoint.Id} ({endpoint.Service}, {endpoint.VpcId}) at {server.VpcEndpointUri(endpoint.Id)}");
            }

            using var reload = parseResult.GetValue(config) is { } configPath ? ReloadOnSighup(server, configPath) : null;
            Console.WriteLine($"Try: AWS_SHARED_CREDENTIALS_FILE={Path.GetFullPath(options.CredentialsPath)} AWS_PROFILE=keyhaven aws kms list-keys --endpoint-url {server.Endpoint.ToString().TrimEnd('/')}");
            // Returns on SIGTERM (the host's console lifetime) or Ctrl-C (the command line's cancellation).
            await server.WaitForShutdownAsync(cancellationToken);
            Console.WriteLine("Shutting down.");
            return 0;
        });
        return command;
    }

    /// <summary>Re-reads the configuration file on SIGHUP; a file that does not parse, or that moves listeners, changes nothing.</summary>
    private static PosixSignalRegistration? ReloadOnSighup(KeyhavenServer server, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        // Started with SIGHUP ignored (nohup): take it back, or the reload below would never run.
        if (!Hosting.InheritedSignalIgnore.TryClearForSighup())
        {
            Console.Error.WriteLine("WARNING: SIGHUP is ignored in this process and could not be taken back: the configuration file is not reloaded on SIGHUP.");
        }

        var gate = new SemaphoreSlim(1, 1);
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP reloads; it does not stop the server
            _ = Task.Run(async () =>
            {
                await gate.WaitAsync();
                try
                {
                    // Audited by the server (ReloadNetworkConfiguration), refused reloads too.
                    var changed = await server.ReloadNetworkAsync(path, "SIGHUP");
                    Console.WriteLine($"Reloaded network configuration {Path.GetFullPath(path)} on SIGHUP; VPC endpoint policies changed: {(changed.Count == 0 ? "none" : string.Join(", ", changed))}");
                }
                catch (FormatException exception)
                {
                    await Console.Error.WriteLineAsync($"SIGHUP: network configuration {Path.GetFullPath(path)} not reloaded: {exception.Message}");
                }
                catch (Keyhaven.Audit.Trail.AuditWriteException exception)
                {
                    await Console.Error.WriteLineAsync($"SIGHUP: network configuration {Path.GetFullPath(path)}: the audit trail cannot write ({exception.Message}); see the server log.");
                }
                catch (Exception exception)
                {
                    // Storage unreachable or any other fault: said, never lost in an unobserved task.
                    await Console.Error.WriteLineAsync($"SIGHUP: network configuration {Path.GetFullPath(path)} not reloaded: {exception.GetType().Name}: {exception.Message}");
                }
                finally
                {
                    gate.Release();
                }
            });
        });
    }
}
