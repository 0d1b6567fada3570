using System.Collections.Concurrent;
using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Encryption.Keyrings.Kms;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Kms;

public sealed partial class AwsKmsKeyringTests
{
    /// <summary>The plaintext buffers of the KMS responses a call received, through the AWS SDK's own response event.</summary>
    internal static async Task<List<MemoryStream>> PlaintextsOfResponsesAsync(AmazonServiceClient client, Func<Task> call)
    {
        var plaintexts = new ConcurrentQueue<MemoryStream>();
        ResponseEventHandler handler = (_, e) =>
        {
            switch ((e as WebServiceResponseEventArgs)?.Response)
            {
                case GenerateDataKeyResponse generated:
                    plaintexts.Enqueue(generated.Plaintext);
                    break;
                case DecryptResponse decrypted:
                    plaintexts.Enqueue(decrypted.Plaintext);
                    break;
            }
        };
        client.AfterResponseEvent += handler;
        try
        {
            await call();
        }
        finally
        {
            client.AfterResponseEvent -= handler;
        }

        return [.. plaintexts];
    }

    [Fact]
    public async Task Plaintext_data_keys_in_kms_responses_are_zeroed()
    {
        var arn = await NewKeyAsync();
        var keyring = new AwsKmsKeyring(Kms, arn);
        byte[] message = [];
        var plaintexts = await PlaintextsOfResponsesAsync(fixture.Kms, async () =>
        {
            message = (await _client.EncryptAsync(Keys.Plaintext(10), keyring, new EncryptOptions { EncryptionContext = Context })).Ciphertext;
            Assert.Equal(Keys.Plaintext(10), (await _client.DecryptAsync(message, keyring)).Plaintext);
            Assert.Equal(Keys.Plaintext(10), (await _client.DecryptAsync(message, new AwsKmsDiscoveryKeyring(Kms))).Plaintext);
        });
        Assert.Equal(3, plaintexts.Count);
        Assert.All(plaintexts, p => Assert.All(p.ToArray(), b => Assert.Equal(0, b)));
    }

    [Fact]
    public async Task A_rejected_kms_plaintext_is_zeroed()
    {
        var arn = await NewKeyAsync();
        // KMS holds a 16-byte key where the suite needs 32: the keyring must refuse it, and zero it.
        var wrapped = await Kms.EncryptAsync(new EncryptRequest { KeyId = arn, Plaintext = new MemoryStream(Keys.AesKey(16)), EncryptionContext = Context });
        var edk = new EncryptedDataKey("aws-kms", Encoding.UTF8.GetBytes(arn), wrapped.CiphertextBlob.ToArray());
        using var materials = new DecryptionMaterials(AlgorithmSuite.AesGcm256HkdfSha512Commit, Context);

        var plaintexts = await PlaintextsOfResponsesAsync(fixture.Kms, async () =>
        {
            var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => new AwsKmsKeyring(Kms, arn).OnDecryptAsync(materials, [edk]).AsTask());
            Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, e.Reason);
        });
        Assert.Null(materials.PlaintextDataKey);
        Assert.All(Assert.Single(plaintexts).ToArray(), b => Assert.Equal(0, b));
    }
}
