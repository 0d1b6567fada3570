using System.Text;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Keyrings.Kms;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Kms;

public sealed partial class AwsKmsKeyringTests
{
    // spec: framework/aws-kms/aws-kms-keyring.md#initialization and aws-kms-key-arn.md#a-valid-aws-kms-identifier
    [Theory]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/mrk-4321abcd12ab34cd56ef1234567890ab")]
    [InlineData("arn:aws-cn:kms:cn-north-1:111122223333:alias/orders")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/team/orders")]
    [InlineData("alias/orders")]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("mrk-4321abcd12ab34cd56ef1234567890ab")]
    public void Valid_kms_identifiers_are_accepted(string keyId) =>
        Assert.Equal(keyId, new AwsKmsKeyring(Kms, keyId).KeyId);

    [Theory]
    [InlineData("arn:aws:kms:us-east-1:111122223333:grant/abc")]
    [InlineData("arn:aws:s3:us-east-1:111122223333:key/abc")]
    [InlineData("arn:aws:kms::111122223333:key/abc")]
    [InlineData("arn:aws:kms:us-east-1::key/abc")]
    [InlineData("arn::kms:us-east-1:111122223333:key/abc")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key")]
    [InlineData("arn:aws:kms:us-east-1:111122223333")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/abc:extra")]
    [InlineData("alias/")]
    [InlineData("key/abc")]
    [InlineData("abc/def")]
    public void Invalid_kms_identifiers_are_refused(string keyId) =>
        Assert.Throws<ArgumentException>(() => new AwsKmsKeyring(Kms, keyId));

    public static TheoryData<byte[]> MalformedProviderInfo => new()
    {
        Encoding.UTF8.GetBytes("arn:aws:kms:us-east-1:111122223333:alias/orders"),
        Encoding.UTF8.GetBytes("alias/orders"),
        Encoding.UTF8.GetBytes("1234abcd-12ab-34cd-56ef-1234567890ab"),
        Encoding.UTF8.GetBytes("arn:aws:kms:us-east-1:111122223333:key/"),
        new byte[] { 0x61, 0x72, 0x6E, 0xFF },
    };

    // spec: framework/aws-kms/aws-kms-keyring.md#ondecrypt and aws-kms-discovery-keyring.md#ondecrypt — an aws-kms
    // encrypted data key whose provider info is not a key ARN fails OnDecrypt, even if another key would decrypt.
    [Theory]
    [MemberData(nameof(MalformedProviderInfo))]
    public async Task An_aws_kms_data_key_without_a_key_arn_fails_the_kms_keyrings(byte[] providerInfo)
    {
        var arn = await NewKeyAsync();
        var message = (await _client.EncryptAsync(Keys.Plaintext(10), new AwsKmsKeyring(Kms, arn), new EncryptOptions { EncryptionContext = Context })).Ciphertext;
        var header = MessageInspection.Header(message);
        List<EncryptedDataKey> edks = [new("aws-kms", providerInfo, header.EncryptedDataKeys[0].Ciphertext), .. header.EncryptedDataKeys];

        foreach (var keyring in new IKeyring[] { new AwsKmsKeyring(Kms, arn), new AwsKmsDiscoveryKeyring(Kms) })
        {
            using var materials = new DecryptionMaterials(header.Suite, header.EncryptionContext);
            var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => keyring.OnDecryptAsync(materials, edks).AsTask());
            Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, e.Reason);
            Assert.Null(materials.PlaintextDataKey);

            using var valid = new DecryptionMaterials(header.Suite, header.EncryptionContext);
            await keyring.OnDecryptAsync(valid, header.EncryptedDataKeys);
            Assert.NotNull(valid.PlaintextDataKey);
        }
    }
}
