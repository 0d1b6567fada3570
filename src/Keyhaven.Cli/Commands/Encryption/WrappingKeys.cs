using Amazon;
using Amazon.KeyManagementService;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Keyrings.Kms;

namespace Keyhaven.Cli.Commands.Encryption;

/// <summary>
/// Builds the keyring from the repeatable wrapping-key options: <c>--kms-key ARN_OR_ALIAS</c>,
/// <c>--raw-aes NAMESPACE:NAME:KEYFILE</c> and <c>--raw-rsa NAMESPACE:NAME:PEMFILE:PADDING</c>. The first key given
/// generates the data key; every other one wraps it too. Throws <see cref="CliInputException"/> for bad values.
/// </summary>
internal sealed class WrappingKeys
{
    public required IReadOnlyList<string> KmsKeys { get; init; }

    public required IReadOnlyList<string> RawAesKeys { get; init; }

    public required IReadOnlyList<string> RawRsaKeys { get; init; }

    public string? EndpointUrl { get; init; }

    public string? Region { get; init; }

    /// <param name="forDecrypt">KMS keys must then be key ARNs: a message records the ARN that wrapped its data key.</param>
    public IKeyring CreateKeyring(bool forDecrypt)
    {
        var keyrings = new List<IKeyring>();
        if (forDecrypt && KmsKeys.FirstOrDefault(key => !KmsKeyArn.TryParse(key, out _)) is { } notArn)
        {
            throw new CliInputException($"`--kms-key {notArn}` must be a key ARN to decrypt (arn:aws:kms:REGION:ACCOUNT:key/ID).");
        }

        if (KmsKeys.Count > 0)
        {
            var kms = CreateKmsClient();
            keyrings.AddRange(KmsKeys.Select(key => CreateKmsKeyring(kms, key)));
        }

        keyrings.AddRange(RawAesKeys.Select(ParseRawAes));
        keyrings.AddRange(RawRsaKeys.Select(ParseRawRsa));
        return keyrings.Count switch
        {
            0 => throw new CliInputException("Give at least one wrapping key: --kms-key, --raw-aes or --raw-rsa."),
            1 => keyrings[0],
            _ => new MultiKeyring(keyrings[0], keyrings[1..]),
        };
    }

    private static AwsKmsKeyring CreateKmsKeyring(AmazonKeyManagementServiceClient kms, string key)
    {
        try
        {
            return new AwsKmsKeyring(kms, key);
        }
        catch (ArgumentException exception)
        {
            throw new CliInputException($"`--kms-key {key}`: {exception.Message.Split(" (Parameter")[0]}");
        }
    }

    private AmazonKeyManagementServiceClient CreateKmsClient()
    {
        // Credentials, region and endpoint follow the AWS SDK's usual sources (environment variables such as
        // AWS_ENDPOINT_URL_KMS, shared config and credentials files, profiles) unless given here.
        var config = new AmazonKeyManagementServiceConfig();
        if (Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }

        if (EndpointUrl is not null)
        {
            config.ServiceURL = EndpointUrl;
            config.AuthenticationRegion = Region ?? config.RegionEndpoint?.SystemName ?? "us-east-1";
        }

        return new AmazonKeyManagementServiceClient(config);
    }

    private static RawAesKeyring ParseRawAes(string value)
    {
        var parts = value.Split(':', 3);
        if (parts is not [{ Length: > 0 } ns, { Length: > 0 } name, { Length: > 0 } file])
        {
            throw new CliInputException($"`--raw-aes {value}` is not NAMESPACE:NAME:KEYFILE.");
        }

        var key = ReadFile(file);
        try
        {
            return new RawAesKeyring(ns, name, key);
        }
        catch (ArgumentException e)
        {
            throw new CliInputException($"`--raw-aes {value}`: {e.Message.Split(" (Parameter")[0]}");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }
    }

    private static RawRsaKeyring ParseRawRsa(string value)
    {
        var parts = value.Split(':');
        if (parts is not [{ Length: > 0 } ns, { Length: > 0 } name, { Length: > 0 } file, var paddingName])
        {
            throw new CliInputException($"`--raw-rsa {value}` is not NAMESPACE:NAME:PEMFILE:PADDING.");
        }

        var padding = paddingName switch
        {
            "pkcs1" => RsaPadding.Pkcs1,
            "oaep-sha1" => RsaPadding.OaepSha1,
            "oaep-sha256" => RsaPadding.OaepSha256,
            "oaep-sha384" => RsaPadding.OaepSha384,
            "oaep-sha512" => RsaPadding.OaepSha512,
            _ => throw new CliInputException($"`{paddingName}` is not an RSA padding (pkcs1, oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512)."),
        };
        var pem = System.Text.Encoding.UTF8.GetString(ReadFile(file));
        try
        {
            return RawRsaKeyring.FromPem(ns, name, pem, padding);
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw new CliInputException($"`{file}` holds no RSA key in PEM form.");
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"Cannot read `{path}`: {e.Message}");
        }
    }
}
