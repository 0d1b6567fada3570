using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Streams;

/// <summary>
/// An EncryptingStream whose write or completion failed is faulted: it never writes a final frame or footer, so a
/// producer that failed half-way can never yield a message that looks complete.
/// </summary>
public sealed class EncryptingStreamFaultTests
{
    private static readonly EncryptionClient Client = new();

    [Fact]
    public async Task A_stream_that_exceeded_its_length_bound_cannot_be_completed()
    {
        using var output = new MemoryStream();
        await using (var stream = await Client.CreateEncryptingStreamAsync(output, Keys.Aes(), new EncryptOptions { FrameLength = 100, PlaintextLengthBound = 150 }, leaveOpen: true))
        {
            await stream.WriteAsync(Keys.Plaintext(120));
            var over = await Assert.ThrowsAsync<EncryptionSdkException>(() => stream.WriteAsync(Keys.Plaintext(100)).AsTask());
            Assert.Equal(EncryptionSdkErrorReason.InvalidInput, over.Reason);

            Assert.False(stream.CanWrite);
            await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CompleteAsync().AsTask());
            Assert.Throws<InvalidOperationException>(stream.Complete);
            await Assert.ThrowsAsync<InvalidOperationException>(() => stream.WriteAsync(Keys.Plaintext(1)).AsTask());
            Assert.Throws<InvalidOperationException>(() => stream.Write(Keys.Plaintext(1)));
        }

        var e = Assert.Throws<EncryptionSdkException>(() => Client.Decrypt(output.ToArray(), Keys.Aes()));
        Assert.Equal(EncryptionSdkErrorReason.TruncatedMessage, e.Reason);
    }

    [Fact]
    public async Task A_stream_whose_destination_failed_cannot_be_completed()
    {
        var output = new FailingStream(failAfter: 2);
        await using var stream = await Client.CreateEncryptingStreamAsync(output, Keys.Aes(), new EncryptOptions { FrameLength = 100, Sign = false }, leaveOpen: true);
        await stream.WriteAsync(Keys.Plaintext(150)); // header written (1), one frame buffered
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(Keys.Plaintext(100)).AsTask()); // frame 1 written (2), frame 2 fails
        output.Healed = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CompleteAsync().AsTask());
        var e = Assert.Throws<EncryptionSdkException>(() => Client.Decrypt(output.ToArray(), Keys.Aes()));
        Assert.Equal(EncryptionSdkErrorReason.TruncatedMessage, e.Reason);
    }

    /// <summary>
    /// A destination whose writes fail (as a full disk or a closed socket does) after a number of writes. Every write
    /// of a MemoryStream subclass, span or async, ends in this overload.
    /// </summary>
    private sealed class FailingStream(int failAfter) : MemoryStream
    {
        private int _writes;

        public bool Healed { get; set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Check();
            base.Write(buffer, offset, count);
        }

        private void Check()
        {
            if (!Healed && ++_writes > failAfter)
            {
                throw new IOException("No space left on device.");
            }
        }
    }
}
