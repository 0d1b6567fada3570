using System.CommandLine;
using Keyhaven.Cli.Commands;
using Keyhaven.Cli.Commands.Enclave;

var root = new RootCommand("Keyhaven: a self-hosted key management service that speaks the AWS KMS protocol.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(PolicyCommand.Create());
root.Subcommands.Add(AttestationCommand.Create());
root.Subcommands.Add(EnclaveCommand.Create());
root.Subcommands.Add(EncryptionCommands.CreateEncrypt());
root.Subcommands.Add(EncryptionCommands.CreateDecrypt());
root.Subcommands.Add(StorageCommand.Create());
root.Subcommands.Add(Keyhaven.Cli.Commands.Audit.AuditCommand.Create());
root.Subcommands.Add(Keyhaven.Cli.Commands.Analyze.AnalyzeCommand.Create());
return await root.Parse(args).InvokeAsync();
