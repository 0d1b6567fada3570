using System.CommandLine;
using System.Globalization;
using Amazon.Runtime;
using Keyhaven.Cli.Commands.Encryption;
using Keyhaven.Encryption;
using Keyhaven.Encryption.Suites;

namespace Keyhaven.Cli.Commands;

/// <summary>
/// <c>keyhaven encrypt</c> and <c>keyhaven decrypt</c>: AWS Encryption SDK messages for files or standard
/// input/output. Exit 0 on success; otherwise 1 (2 for bad arguments) with a one-line reason on standard error, and
/// no partial output left in <c>-o FILE</c>. See docs/encryption-sdk.md.
/// </summary>
internal static class EncryptionCommands
{
    private const int Failed = 1;
    private const int BadInput = 2;

    private sealed record CommonOptions(
        Option<string> Input,
        Option<string> Output,
        Option<string[]> KmsKeys,
        Option<string[]> RawAes,
        Option<string[]> RawRsa,
        Option<string[]> Context,
        Option<string?> CommitmentPolicy,
        Option<int?> MaxEncryptedDataKeys,
        Option<string?> EndpointUrl,
        Option<string?> Region);

    public static Command CreateEncrypt()
    {
        var common = CreateCommon(contextHelp: "Encryption context pair KEY=VALUE (repeatable).");
        var suite = new Option<string?>("--suite") { Description = "Algorithm suite id in hex, e.g. 0578 (default) or 0478 (no signature)." };
        var frameLength = new Option<int?>("--frame-length") { Description = "Plaintext bytes per frame (default 4096)." };
        var command = new Command("encrypt", "Encrypt a file or standard input into an AWS Encryption SDK message.");
        AddCommon(command, common);
        command.Options.Add(suite);
        command.Options.Add(frameLength);
        command.SetAction((parseResult, cancellationToken) => RunAsync(async () =>
        {
            var client = new EncryptionClient(ClientOptions(parseResult, common));
            var options = new EncryptOptions
            {
                EncryptionContext = ParseContext(parseResult.GetValue(common.Context)),
                Suite = ParseSuite(parseResult.GetValue(suite)),
                FrameLength = parseResult.GetValue(frameLength) is { } n
                    ? n is >= 1 and <= 256 * 1024 * 1024 ? n : throw new CliInputException($"The frame length is 1 to {256 * 1024 * 1024} bytes, not {n}.")
                    : 4096,
            };
            var keyring = Keys(parseResult, common).CreateKeyring(forDecrypt: false);
            await using var input = InputSource.Open(parseResult.GetValue(common.Input)!);
            await using var output = OutputTarget.Open(parseResult.GetValue(common.Output)!);
            await using (var encrypting = await client.CreateEncryptingStreamAsync(output.Stream, keyring, options, leaveOpen: true, cancellationToken))
            {
                await input.CopyToAsync(encrypting, 1 << 16, cancellationToken);
                await encrypting.CompleteAsync(cancellationToken);
            }

            await output.CommitAsync();
        }));
        return command;
    }

    public static Command CreateDecrypt()
    {
        var common = CreateCommon(contextHelp: "KEY=VALUE that the message must carry (repeatable); also supplies required encryption context not stored in the message.");
        var command = new Command("decrypt", "Decrypt an AWS Encryption SDK message from a file or standard input.");
        AddCommon(command, common);
        command.SetAction((parseResult, cancellationToken) => RunAsync(async () =>
        {
            var client = new EncryptionClient(ClientOptions(parseResult, common));
            var keyring = Keys(parseResult, common).CreateKeyring(forDecrypt: true);
            await using var input = InputSource.Open(parseResult.GetValue(common.Input)!);
            await using var output = OutputTarget.Open(parseResult.GetValue(common.Output)!);
            var options = new DecryptOptions
            {
                EncryptionContext = ParseContext(parseResult.GetValue(common.Context)),
                // A file is written under a temporary name and deleted unless the signature verifies, so frames may
                // be written as they authenticate; standard output cannot be taken back, so signed plaintext is held.
                SignedMessages = output.IsStandardOutput ? SignedMessagePolicy.BufferUntilVerified : SignedMessagePolicy.ReleaseBeforeVerification,
            };
            await using (var decrypting = client.CreateDecryptingStream(input, keyring, options, leaveOpen: true))
            {
                await decrypting.CopyToAsync(output.Stream, 1 << 16, cancellationToken);
            }

            await output.CommitAsync();
        }));
        return command;
    }

    private static CommonOptions CreateCommon(string contextHelp) => new(
        new Option<string>("--input", "-i") { Description = "Input file, or - for standard input.", Required = true },
        new Option<string>("--output", "-o") { Description = "Output file, or - for standard output.", Required = true },
        new Option<string[]>("--kms-key") { Description = "KMS key ARN, id or alias (repeatable; decrypt needs key ARNs).", AllowMultipleArgumentsPerToken = false },
        new Option<string[]>("--raw-aes") { Description = "NAMESPACE:NAME:KEYFILE with 16, 24 or 32 raw key bytes (repeatable)." },
        new Option<string[]>("--raw-rsa") { Description = "NAMESPACE:NAME:PEMFILE:PADDING; PADDING is pkcs1, oaep-sha1, oaep-sha256, oaep-sha384 or oaep-sha512; a public key encrypts, a private key decrypts (repeatable)." },
        new Option<string[]>("--context") { Description = contextHelp },
        new Option<string?>("--commitment-policy") { Description = "require-encrypt-require-decrypt (default), require-encrypt-allow-decrypt or forbid-encrypt-allow-decrypt." },
        new Option<int?>("--max-encrypted-data-keys") { Description = "Refuse messages with more encrypted data keys than this." },
        new Option<string?>("--endpoint-url") { Description = "KMS endpoint (e.g. a Keyhaven server); default: the AWS SDK's configuration." },
        new Option<string?>("--region") { Description = "AWS region for KMS; default: the AWS SDK's configuration." });

    private static void AddCommon(Command command, CommonOptions common)
    {
        foreach (var option in new Option[] { common.Input, common.Output, common.KmsKeys, common.RawAes, common.RawRsa, common.Context, common.CommitmentPolicy, common.MaxEncryptedDataKeys, common.EndpointUrl, common.Region })
        {
            command.Options.Add(option);
        }
    }

    private static WrappingKeys Keys(ParseResult parseResult, CommonOptions common) => new()
    {
        KmsKeys = parseResult.GetValue(common.KmsKeys) ?? [],
        RawAesKeys = parseResult.GetValue(common.RawAes) ?? [],
        RawRsaKeys = parseResult.GetValue(common.RawRsa) ?? [],
        EndpointUrl = parseResult.GetValue(common.EndpointUrl),
        Region = parseResult.GetValue(common.Region),
    };

    private static EncryptionClientOptions ClientOptions(ParseResult parseResult, CommonOptions common)
    {
        var policy = parseResult.GetValue(common.CommitmentPolicy) switch
        {
            null or "require-encrypt-require-decrypt" => CommitmentPolicy.RequireEncryptRequireDecrypt,
            "require-encrypt-allow-decrypt" => CommitmentPolicy.RequireEncryptAllowDecrypt,
            "forbid-encrypt-allow-decrypt" => CommitmentPolicy.ForbidEncryptAllowDecrypt,
            var other => throw new CliInputException($"`{other}` is not a commitment policy (require-encrypt-require-decrypt, require-encrypt-allow-decrypt, forbid-encrypt-allow-decrypt)."),
        };
        var max = parseResult.GetValue(common.MaxEncryptedDataKeys);
        if (max is < 1 or > ushort.MaxValue)
        {
            throw new CliInputException($"--max-encrypted-data-keys is 1 to {ushort.MaxValue}, not {max}.");
        }

        return new EncryptionClientOptions { CommitmentPolicy = policy, MaxEncryptedDataKeys = max ?? ushort.MaxValue };
    }

    private static Dictionary<string, string> ParseContext(string[]? pairs)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0 || !context.TryAdd(pair[..separator], pair[(separator + 1)..]))
            {
                throw new CliInputException($"`--context {pair}` is not KEY=VALUE with a new KEY.");
            }
        }

        return context;
    }

    private static AlgorithmSuiteId? ParseSuite(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (!ushort.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id) || !AlgorithmSuite.TryFromId(id, out _))
        {
            throw new CliInputException($"`{text}` is not an algorithm suite ({string.Join(", ", AlgorithmSuite.All.Select(s => $"{(ushort)s.Id:X4}"))}).");
        }

        return (AlgorithmSuiteId)id;
    }

    /// <summary>Runs the command body, mapping every expected failure to one line on standard error.</summary>
    private static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (CliInputException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return BadInput;
        }
        catch (EncryptionSdkException e)
        {
            await Console.Error.WriteLineAsync($"{e.Reason}: {OneLine(e.Message)}");
            return Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AmazonClientException or AmazonServiceException)
        {
            await Console.Error.WriteLineAsync(OneLine(e.Message));
            return Failed;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
