using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyhaven.Attestation.Verification;

namespace Keyhaven.Cli.Commands;

/// <summary>
/// <c>keyhaven attestation verify DOCUMENT [--at ISO8601] [--root PEM] [--nonce HEX] [--max-age SECONDS]</c>: verifies a
/// Nitro attestation document (binary CBOR or base64) and prints the report as JSON. Exit 0 valid, 1 invalid, 2 unreadable
/// input (no such file, bad options, or bytes that are not an attestation document at all).
/// </summary>
internal static class AttestationCommand
{
    private const int Invalid = 1, UnreadableInput = 2;

    public static Command Create()
    {
        var command = new Command("attestation", "Inspect and verify enclave attestation documents.");
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static Command CreateVerify()
    {
        var document = new Argument<FileInfo>("document") { Description = "The attestation document: binary (COSE_Sign1 CBOR) or base64." };
        var at = new Option<string?>("--at") { Description = "Verify as of this time (ISO 8601), e.g. the document's own timestamp." };
        var root = new Option<FileInfo?>("--root") { Description = "Trust this root certificate (PEM) instead of the AWS Nitro Enclaves root." };
        var nonce = new Option<string?>("--nonce") { Description = "The nonce (hex) the document must carry." };
        var maxAge = new Option<int>("--max-age") { Description = "The oldest a document may be, in seconds.", DefaultValueFactory = _ => 300 };
        var command = new Command("verify", "Verify a document and print {valid, reason, debug, module_id, timestamp, pcrs, public_key, chain} as JSON.");
        command.Arguments.Add(document);
        command.Options.Add(at);
        command.Options.Add(root);
        command.Options.Add(nonce);
        command.Options.Add(maxAge);
        command.SetAction(parseResult =>
        {
            byte[] bytes;
            byte[] expectedNonce = [];
            var options = new AttestationVerifierOptions { MaxAge = TimeSpan.FromSeconds(parseResult.GetValue(maxAge)) };
            TimeProvider clock = TimeProvider.System;
            try
            {
                bytes = Decode(File.ReadAllBytes(parseResult.GetValue(document)!.FullName));
                if (parseResult.GetValue(at) is { } time)
                {
                    clock = new FixedClock(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
                }

                if (parseResult.GetValue(root) is { } pem)
                {
                    using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pem.FullName));
                    options = options with { TrustedRootFingerprints = [certificate.GetCertHashString(HashAlgorithmName.SHA256)] };
                }

                if (parseResult.GetValue(nonce) is { } hex)
                {
                    expectedNonce = Convert.FromHexString(hex);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or CryptographicException)
            {
                Console.Error.WriteLine("Cannot read the input: " + exception.Message);
                return UnreadableInput;
            }

            var result = new NitroAttestationVerifier(options, clock).Verify(bytes, expectedNonce);
            Console.WriteLine(AttestationReport.ToJson(result));
            return result.IsValid ? 0 : result.Failure is AttestationFailure.Malformed or AttestationFailure.TooLarge ? UnreadableInput : Invalid;
        });
        return command;
    }

    /// <summary>The document's bytes: as given when binary, decoded when the file is base64 text.</summary>
    private static byte[] Decode(byte[] file)
    {
        var text = System.Text.Encoding.ASCII.GetString(file).Trim();
        return text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '\n' or '\r')
            ? Convert.FromBase64String(text)
            : file;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
