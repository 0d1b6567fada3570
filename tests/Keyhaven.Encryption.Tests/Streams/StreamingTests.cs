using Keyhaven.Encryption.Streams;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Streams;

/// <summary>EncryptingStream and DecryptingStream: interchange with the byte-array API, and release rules.</summary>
public sealed class StreamingTests
{
    private static readonly EncryptionClient Client = new();

    private static async Task<byte[]> EncryptStreamingAsync(byte[] plaintext, EncryptOptions options, int writeSize)
    {
        using var output = new MemoryStream();
        await using (var stream = await Client.CreateEncryptingStreamAsync(output, Keys.Aes(), options, leaveOpen: true))
        {
            for (var i = 0; i < plaintext.Length; i += writeSize)
            {
                await stream.WriteAsync(plaintext.AsMemory(i, Math.Min(writeSize, plaintext.Length - i)));
            }

            await stream.CompleteAsync();
        }

        return output.ToArray();
    }

    private static async Task<byte[]> DecryptStreamingAsync(byte[] message, DecryptOptions? options = null, int chunk = 4096)
    {
        await using var stream = Client.CreateDecryptingStream(new TrickleStream(message, chunk), Keys.Aes(), options);
        using var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0, 100, 7)]
    [InlineData(100, 100, 100)]
    [InlineData(1000, 100, 33)]
    [InlineData(100_000, 4096, 5000)]
    [InlineData(100_000, 65536, 1)]
    public async Task Streams_interchange_with_the_byte_array_api(int length, int frameLength, int writeSize)
    {
        var plaintext = Keys.Plaintext(length);
        foreach (var sign in new[] { true, false })
        {
            var options = new EncryptOptions { FrameLength = frameLength, Sign = sign, EncryptionContext = new Dictionary<string, string> { ["a"] = "b" } };
            var streamed = await EncryptStreamingAsync(plaintext, options, Math.Max(1, writeSize));
            Assert.Equal(plaintext, Client.Decrypt(streamed, Keys.Aes()).Plaintext);
            var whole = Client.Encrypt(plaintext, Keys.Aes(), options).Ciphertext;
            Assert.Equal(whole.Length, streamed.Length, tolerance: 4); // DER signatures vary by a few bytes
            Assert.Equal(plaintext, await DecryptStreamingAsync(whole, chunk: 1 + (writeSize % 5000)));
            Assert.Equal(plaintext, await DecryptStreamingAsync(whole, new DecryptOptions { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification }, chunk: 1000));
        }
    }

    [Fact]
    public async Task Synchronous_reads_and_writes_work()
    {
        var plaintext = Keys.Plaintext(10_000);
        using var output = new MemoryStream();
        using (var stream = await Client.CreateEncryptingStreamAsync(output, Keys.Aes(), new EncryptOptions { FrameLength = 512 }, leaveOpen: true))
        {
            stream.Write(plaintext);
            stream.Complete();
            Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, stream.Suite);
        }

        using var decrypting = Client.CreateDecryptingStream(new MemoryStream(output.ToArray()), Keys.Aes());
        using var copy = new MemoryStream();
        decrypting.CopyTo(copy);
        Assert.Equal(plaintext, copy.ToArray());
        Assert.True(decrypting.EncryptionContext.ContainsKey("aws-crypto-public-key"));
    }

    [Fact]
    public async Task A_stream_disposed_without_completing_is_a_truncated_message()
    {
        using var output = new MemoryStream();
        await using (var stream = await Client.CreateEncryptingStreamAsync(output, Keys.Aes(), new EncryptOptions { FrameLength = 100, Sign = false }, leaveOpen: true))
        {
            await stream.WriteAsync(Keys.Plaintext(1000));
        }

        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync(output.ToArray()));
        Assert.Equal(EncryptionSdkErrorReason.TruncatedMessage, e.Reason);
    }

    [Fact]
    public async Task Signed_plaintext_is_held_back_until_the_signature_verifies()
    {
        var message = Client.Encrypt(Keys.Plaintext(10_000), Keys.Aes(), new EncryptOptions { FrameLength = 100 }).Ciphertext;
        message[^3] ^= 1; // inside the signature; every frame still authenticates

        await using var held = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes());
        var buffer = new byte[100];
        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => held.ReadAsync(buffer).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, e.Reason);

        await using var released = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes(), new DecryptOptions { SignedMessages = SignedMessagePolicy.ReleaseBeforeVerification });
        Assert.Equal(100, await released.ReadAsync(buffer));
        Assert.Equal(Keys.Plaintext(100), buffer);
        var late = await Assert.ThrowsAsync<EncryptionSdkException>(() => released.CopyToAsync(Stream.Null));
        Assert.Equal(EncryptionSdkErrorReason.SignatureInvalid, late.Reason);
    }

    [Fact]
    public async Task Held_back_plaintext_is_bounded()
    {
        var message = Client.Encrypt(Keys.Plaintext(10_000), Keys.Aes(), new EncryptOptions { FrameLength = 100 }).Ciphertext;
        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync(message, new DecryptOptions { MaxBufferedPlaintext = 1000 }));
        Assert.Equal(EncryptionSdkErrorReason.UnverifiedPlaintextRefused, e.Reason);
        Assert.Equal(Keys.Plaintext(10_000), await DecryptStreamingAsync(message, new DecryptOptions { MaxBufferedPlaintext = 10_000 }));
        var justOver = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync(message, new DecryptOptions { MaxBufferedPlaintext = 9_999 }));
        Assert.Equal(EncryptionSdkErrorReason.UnverifiedPlaintextRefused, justOver.Reason);
        var refused = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync(message, new DecryptOptions { SignedMessages = SignedMessagePolicy.Refuse }));
        Assert.Equal(EncryptionSdkErrorReason.UnverifiedPlaintextRefused, refused.Reason);
    }

    [Fact]
    public async Task Unsigned_frames_are_released_as_they_authenticate_and_a_bad_frame_stops_the_stream()
    {
        var message = Client.Encrypt(Keys.Plaintext(1000), Keys.Aes(), new EncryptOptions { FrameLength = 100, Sign = false }).Ciphertext;
        message[^50] ^= 1; // in the final frame
        await using var stream = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes());
        var buffer = new byte[100];
        Assert.Equal(100, await stream.ReadAsync(buffer));
        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Equal(EncryptionSdkErrorReason.AuthenticationFailed, e.Reason);
    }

    [Fact]
    public async Task Truncated_and_extended_streams_are_rejected()
    {
        var message = Client.Encrypt(Keys.Plaintext(1000), Keys.Aes(), new EncryptOptions { FrameLength = 100, Sign = false }).Ciphertext;
        foreach (var length in new[] { 0, 1, 50, message.Length - 200, message.Length - 1 })
        {
            var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync(message[..length]));
            Assert.Equal(EncryptionSdkErrorReason.TruncatedMessage, e.Reason);
        }

        var trailing = await Assert.ThrowsAsync<EncryptionSdkException>(() => DecryptStreamingAsync([.. message, 0]));
        Assert.Equal(EncryptionSdkErrorReason.MalformedMessage, trailing.Reason);
    }

    [Fact]
    public async Task The_header_can_be_read_before_the_body()
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.Aes(), new EncryptOptions { EncryptionContext = new Dictionary<string, string> { ["x"] = "y" } }).Ciphertext;
        await using var stream = Client.CreateDecryptingStream(new MemoryStream(message), Keys.Aes());
        await stream.ReadHeaderAsync();
        Assert.Equal("y", stream.EncryptionContext["x"]);
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384, stream.Suite);
    }

    /// <summary>A source that returns at most a few bytes per read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
