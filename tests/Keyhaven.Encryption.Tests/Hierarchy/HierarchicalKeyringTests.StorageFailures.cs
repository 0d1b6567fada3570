using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Hierarchy;

public sealed partial class HierarchicalKeyringTests
{
    [Fact]
    public async Task An_unreadable_branch_key_store_is_a_keyring_failure_and_a_multi_keyring_tries_its_next_child()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        var options = new EncryptOptions { EncryptionContext = Context };
        var message = (await _client.EncryptAsync(Keys.Plaintext(10), new MultiKeyring(Keyring(store, id), [Keys.Aes()]), options)).Ciphertext;

        // The branch key's file becomes a folder: reading it is an I/O error, not a missing item.
        var file = Path.Combine(_folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))) + ".json");
        File.Delete(file);
        Directory.CreateDirectory(file);

        var direct = await Assert.ThrowsAsync<EncryptionSdkException>(() => store.GetActiveBranchKeyAsync(id));
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, direct.Reason);
        Assert.True(direct.InnerException is IOException or UnauthorizedAccessException, direct.InnerException?.ToString());

        using var hierarchical = Keyring(store, id);
        var alone = await Assert.ThrowsAsync<EncryptionSdkException>(() => _client.DecryptAsync(message, hierarchical).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.KeyringFailure, alone.Reason);

        using var first = Keyring(store, id);
        Assert.Equal(Keys.Plaintext(10), (await _client.DecryptAsync(message, new MultiKeyring(first, [Keys.Aes()]))).Plaintext);
    }
}
