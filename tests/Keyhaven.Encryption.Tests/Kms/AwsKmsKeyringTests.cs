using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Encryption.Keyrings.Kms;
using Keyhaven.Encryption.Tests.Support;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Encryption.Tests.Kms;

/// <summary>The AWS KMS keyrings against a real Keyhaven server through AWSSDK.KeyManagementService.</summary>
public sealed partial class AwsKmsKeyringTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly Dictionary<string, string> Context = new() { ["department"] = "finance" };
    private readonly EncryptionClient _client = new();

    private IAmazonKeyManagementService Kms => fixture.Kms;

    private async Task<string> NewKeyAsync() => (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;

    [Fact]
    public async Task Kms_keyring_round_trips_and_passes_the_encryption_context_to_kms()
    {
        var arn = await NewKeyAsync();
        var keyring = new AwsKmsKeyring(Kms, arn);
        var encrypted = await _client.EncryptAsync(Keys.Plaintext(5000), keyring, new EncryptOptions { EncryptionContext = Context });
        var decrypted = await _client.DecryptAsync(encrypted.Ciphertext, keyring);
        Assert.Equal(Keys.Plaintext(5000), decrypted.Plaintext);
        Assert.Equal("finance", decrypted.EncryptionContext["department"]);

        // The encrypted data key is a KMS ciphertext bound to the full context: KMS refuses it without the context.
        var edk = ReadFirstEncryptedDataKey(encrypted.Ciphertext);
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(edk) }));
        var direct = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(edk), EncryptionContext = encrypted.EncryptionContext.ToDictionary() });
        Assert.Equal(arn, direct.KeyId);
    }

    [Fact]
    public async Task Discovery_keyring_decrypts_with_the_recorded_key_and_obeys_its_filter()
    {
        var arn = await NewKeyAsync();
        var account = KmsKeyArn.TryParse(arn, out var parsed) ? parsed.Value.Account : throw new InvalidOperationException(arn);
        var message = (await _client.EncryptAsync(Keys.Plaintext(100), new AwsKmsKeyring(Kms, arn))).Ciphertext;

        Assert.Equal(Keys.Plaintext(100), (await _client.DecryptAsync(message, new AwsKmsDiscoveryKeyring(Kms))).Plaintext);
        Assert.Equal(Keys.Plaintext(100), (await _client.DecryptAsync(message, new AwsKmsDiscoveryKeyring(Kms, new DiscoveryFilter(parsed.Value.Partition, [account])))).Plaintext);

        var otherAccount = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, new AwsKmsDiscoveryKeyring(Kms, new DiscoveryFilter(parsed.Value.Partition, ["111122223333"]))).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, otherAccount.Reason);
        var otherPartition = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, new AwsKmsDiscoveryKeyring(Kms, new DiscoveryFilter("aws-cn", [account]))).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, otherPartition.Reason);
        await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.EncryptAsync(Keys.Plaintext(1), new AwsKmsDiscoveryKeyring(Kms)).AsTask());
    }

    [Fact]
    public async Task Multi_kms_keyring_wraps_with_every_key()
    {
        var generator = await NewKeyAsync();
        var other = await NewKeyAsync();
        var message = (await _client.EncryptAsync(Keys.Plaintext(100), AwsKmsKeyring.CreateMulti(Kms, generator, [other]))).Ciphertext;
        Assert.Equal(Keys.Plaintext(100), (await _client.DecryptAsync(message, new AwsKmsKeyring(Kms, other))).Plaintext);
        Assert.Equal(Keys.Plaintext(100), (await _client.DecryptAsync(message, new AwsKmsKeyring(Kms, generator))).Plaintext);
        var third = await NewKeyAsync();
        var unrelated = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, new AwsKmsKeyring(Kms, third)).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, unrelated.Reason);
    }

    [Fact]
    public async Task Aliases_encrypt_and_the_message_records_the_key_arn()
    {
        var arn = await NewKeyAsync();
        var alias = "alias/esdk-" + Guid.NewGuid().ToString("N")[..8];
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = arn });
        var message = (await _client.EncryptAsync(Keys.Plaintext(10), new AwsKmsKeyring(Kms, alias))).Ciphertext;
        Assert.True(message.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(arn)) > 0);
        Assert.Equal(Keys.Plaintext(10), (await _client.DecryptAsync(message, new AwsKmsKeyring(Kms, arn))).Plaintext);
    }

    [Fact]
    public async Task Grant_tokens_are_passed_to_kms_and_kms_errors_are_clear()
    {
        var arn = await NewKeyAsync();
        var grant = await Kms.CreateGrantAsync(new CreateGrantRequest
        {
            KeyId = arn,
            GranteePrincipal = "arn:aws:iam::111122223333:root",
            Operations = [GrantOperation.GenerateDataKey, GrantOperation.Decrypt],
        });
        var keyring = new AwsKmsKeyring(Kms, arn, [grant.GrantToken]);
        var message = (await _client.EncryptAsync(Keys.Plaintext(10), keyring)).Ciphertext;
        Assert.Equal(Keys.Plaintext(10), (await _client.DecryptAsync(message, keyring)).Plaintext);

        // A forged token reaches KMS, which refuses it: the tokens are sent with both calls.
        var forged = new AwsKmsKeyring(Kms, arn, ["not-a-grant-token"]);
        var forgedEncrypt = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.EncryptAsync(Keys.Plaintext(10), forged).AsTask());
        Assert.IsType<InvalidGrantTokenException>(forgedEncrypt.InnerException);
        var forgedDecrypt = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, forged).AsTask());
        Assert.Contains("InvalidGrantToken", forgedDecrypt.InnerException!.InnerException!.ToString());

        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = arn });
        var encrypt = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.EncryptAsync(Keys.Plaintext(10), keyring).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, encrypt.Reason);
        Assert.Contains("DisabledException", encrypt.InnerException!.GetType().Name);
        var decrypt = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, keyring).AsTask());
        Assert.Contains("disabled", decrypt.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The ciphertext of the first encrypted data key of a format-2 message.</summary>
    internal static byte[] ReadFirstEncryptedDataKey(byte[] message)
    {
        var offset = 1 + 2 + 32;
        var contextLength = (message[offset] << 8) | message[offset + 1];
        offset += 2 + contextLength + 2;
        for (var field = 0; field < 2; field++)
        {
            offset += 2 + ((message[offset] << 8) | message[offset + 1]);
        }

        var length = (message[offset] << 8) | message[offset + 1];
        return message.AsSpan(offset + 2, length).ToArray();
    }
}
