using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Streams;

/// <summary>
/// Signed messages under <see cref="SignedMessagePolicy.ReleaseBeforeVerification"/>: regular frames may leave before
/// the signature verifies, the final frame and non-framed content never do.
/// spec: client-apis/decrypt.md#decrypt-the-message-body
/// </summary>
public sealed class SignedReleaseTests
{
    private static readonly EncryptionClient Client = new();
    private static readonly DecryptOptions Release = new() { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification };

    /// <summary>Reads until the stream throws; returns what was released before and the failure.</summary>
    private static async Task<(byte[] Released, EncryptionSdkException Failure)> ReadUntilFailureAsync(byte[] message)
    {
        await using var stream = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes(), Release);
        using var released = new MemoryStream();
        var buffer = new byte[37];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                released.Write(buffer, 0, read);
            }
        }
        catch (EncryptionSdkException e)
        {
            return (released.ToArray(), e);
        }

        throw new Xunit.Sdk.XunitException("The tampered message decrypted.");
    }

    [Fact]
    public async Task The_final_frame_waits_for_the_signature()
    {
        var message = Client.Encrypt(Keys.Plaintext(1050), Keys.Aes(), new EncryptOptions { FrameLength = 100 }).Ciphertext;
        message[^3] ^= 1; // inside the signature: every frame authenticates

        var (released, failure) = await ReadUntilFailureAsync(message);
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, failure.Reason);
        Assert.Equal(Keys.Plaintext(1000), released); // the ten regular frames, not the final one
    }

    [Fact]
    public async Task A_final_frame_of_a_whole_frame_length_waits_too()
    {
        var message = Client.Encrypt(Keys.Plaintext(300), Keys.Aes(), new EncryptOptions { FrameLength = 100 }).Ciphertext;
        message[^3] ^= 1;

        var (released, failure) = await ReadUntilFailureAsync(message);
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, failure.Reason);
        Assert.Equal(Keys.Plaintext(200), released);
    }

    [Fact]
    public async Task Non_framed_content_waits_for_the_signature()
    {
        var message = Client.Encrypt(Keys.Plaintext(500), Keys.Aes(), new EncryptOptions { FrameLength = 0 }).Ciphertext;
        message[^3] ^= 1;

        var (released, failure) = await ReadUntilFailureAsync(message);
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, failure.Reason);
        Assert.Empty(released);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1050, 100)]
    [InlineData(500, 0)]
    public async Task Valid_signed_messages_release_everything_once_verified(int length, int frameLength)
    {
        var message = Client.Encrypt(Keys.Plaintext(length), Keys.Aes(), new EncryptOptions { FrameLength = frameLength }).Ciphertext;
        await using var stream = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes(), Release);
        using var output = new MemoryStream();
        await stream.CopyToAsync(output);
        Assert.Equal(Keys.Plaintext(length), output.ToArray());
    }
}
