using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Hierarchy;

public sealed partial class HierarchicalKeyringTests
{
    [Fact]
    public async Task A_disposed_keyring_refuses_to_encrypt_and_decrypt()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        var message = (await _client.EncryptAsync(Keys.Plaintext(10), Keyring(store, id), new EncryptOptions { EncryptionContext = Context })).Ciphertext;

        var keyring = Keyring(store, id);
        keyring.Dispose();
        // A disposed keyring would otherwise refill the cache it no longer owns, leaving branch keys nobody zeroes.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _client.EncryptAsync(Keys.Plaintext(10), keyring, new EncryptOptions { EncryptionContext = Context }).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _client.DecryptAsync(message, keyring).AsTask());
    }
}
