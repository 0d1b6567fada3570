using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Keyrings;

/// <summary>spec: framework/multi-keyring.md#ondecrypt — a child that fails is collected, and the next one is tried.</summary>
public sealed partial class MultiKeyringTests
{
    [Fact]
    public void A_child_failing_with_any_exception_is_collected_and_the_next_child_decrypts()
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.Aes()).Ciphertext;
        var broken = Keys.Aes();
        broken.Dispose(); // throws ObjectDisposedException, not an EncryptionSdkException

        Assert.Equal(Keys.Plaintext(10), Client.Decrypt(message, new MultiKeyring(broken, [Keys.Aes()])).Plaintext);
        Assert.Equal(Keys.Plaintext(10), Client.Decrypt(message, new MultiKeyring(null, [broken, Keys.Aes()])).Plaintext);

        var e = Assert.Throws<EncryptionSdkException>(() => Client.Decrypt(message, new MultiKeyring(null, [broken, Keys.Aes(name: "other")])));
        Assert.Equal(EncryptionSdkErrorReason.NoDecryptableDataKey, e.Reason);
        Assert.IsType<ObjectDisposedException>(Assert.Single(Assert.IsType<AggregateException>(e.InnerException).InnerExceptions));
    }

    [Fact]
    public async Task Cancellation_is_not_collected()
    {
        var message = Client.Encrypt(Keys.Plaintext(10), Keys.Aes()).Ciphertext;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var keyring = new MultiKeyring(new CancellableKeyring(), [Keys.Aes()]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.DecryptAsync(message, keyring, cancellationToken: cancelled.Token).AsTask());
    }

    /// <summary>A keyring that, like the KMS keyrings, observes its cancellation token.</summary>
    private sealed class CancellableKeyring : IKeyring
    {
        public ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default) =>
            ValueTask.FromCanceled(cancellationToken);

        public ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }
    }
}
