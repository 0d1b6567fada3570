using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Keyhaven.Server.Tests.Infrastructure;

namespace Keyhaven.Server.Tests.Kms.KeyTypes;

/// <summary>GenerateMac and VerifyMac with HMAC keys through the AWS SDK.</summary>
public sealed class MacTests(KeyTypesFixture fixture) : IClassFixture<KeyTypesFixture>
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_224", 28)]
    [InlineData("HMAC_256", "HMAC_SHA_256", 32)]
    [InlineData("HMAC_384", "HMAC_SHA_384", 48)]
    [InlineData("HMAC_512", "HMAC_SHA_512", 64)]
    public async Task A_MAC_verifies_for_its_message_only(string spec, string algorithm, int length)
    {
        var key = await fixture.KeyAsync(spec, "GENERATE_VERIFY_MAC");
        Assert.Equal([algorithm], key.MacAlgorithms);
        var mac = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("payload"), MacAlgorithm = algorithm });
        Assert.Equal(length, mac.Mac.Length);
        Assert.Equal(key.Arn, mac.KeyId);

        // HMAC is deterministic: the same message gives the same MAC.
        var again = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("payload"), MacAlgorithm = algorithm });
        Assert.Equal(mac.Mac.ToArray(), again.Mac.ToArray());

        var verified = await Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = KmsAssert.Bytes("payload"), MacAlgorithm = algorithm, Mac = new MemoryStream(mac.Mac.ToArray()) });
        Assert.True(verified.MacValid);

        var tampered = mac.Mac.ToArray();
        tampered[^1] ^= 1;
        await Assert.ThrowsAsync<KMSInvalidMacException>(() => Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = key.KeyId, Message = KmsAssert.Bytes("payload"), MacAlgorithm = algorithm, Mac = new MemoryStream(tampered),
        }));
        await Assert.ThrowsAsync<KMSInvalidMacException>(() => Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = key.KeyId, Message = KmsAssert.Bytes("payload!"), MacAlgorithm = algorithm, Mac = new MemoryStream(mac.Mac.ToArray()),
        }));
    }

    [Fact]
    public async Task Wrong_keys_and_algorithms_are_InvalidKeyUsageException()
    {
        var hmac = await fixture.KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var symmetric = (await Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = "HMAC_SHA_512" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = symmetric.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = "HMAC_SHA_256" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = hmac.KeyId, Plaintext = KmsAssert.Bytes("m") }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = "HMAC_MD5" }));
        await KmsAssert.FailsAsync("ValidationException", () => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = new MemoryStream(new byte[4097]), MacAlgorithm = "HMAC_SHA_256" }));
        var mac = (await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = "HMAC_SHA_256" })).Mac;
        await Assert.ThrowsAsync<DryRunOperationException>(() => Kms.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = hmac.KeyId, Message = KmsAssert.Bytes("m"), MacAlgorithm = "HMAC_SHA_256", DryRun = true, Mac = mac,
        }));
    }
}
