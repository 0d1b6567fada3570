using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Message;

/// <summary>
/// Nothing parsed from a header is released before the header verifies.
/// spec: client-apis/decrypt.md#parse-the-header
/// </summary>
public sealed class HeaderReleaseTests
{
    private static readonly EncryptionClient Client = new();

    [Theory]
    [InlineData("tag")]
    [InlineData("commitment")]
    public async Task A_header_that_fails_verification_releases_no_encryption_context(string tampered)
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.Aes(), new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["tenant"] = "acme" } }).Ciphertext;
        var header = MessageInspection.Header(message);
        var headerLength = MessageInspection.HeaderLength(message);
        // Format 2: ... commitment key (32 bytes) then the header tag (16 bytes) end the header.
        message[tampered == "tag" ? headerLength - 1 : headerLength - 16 - 32] ^= 1;

        await using var stream = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes());
        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => stream.ReadHeaderAsync().AsTask());
        Assert.Equal(tampered == "tag" ? EncryptionSdkErrorReason.AuthenticationFailed : EncryptionSdkErrorReason.CommitmentMismatch, e.Reason);
        Assert.Throws<InvalidOperationException>(() => stream.EncryptionContext);
        Assert.Throws<InvalidOperationException>(() => stream.Suite);
        Assert.Equal(2, header.EncryptionContext.Count); // the context was there to leak (tenant and the public key)
    }
}
