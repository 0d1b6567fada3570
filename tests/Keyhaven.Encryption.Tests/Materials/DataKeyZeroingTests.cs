using Keyhaven.Encryption.Keyrings;
using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Materials;

/// <summary>Data keys are zeroed on failure paths too.</summary>
public sealed class DataKeyZeroingTests
{
    [Fact]
    public async Task An_encrypting_stream_that_cannot_be_made_zeroes_its_data_key()
    {
        // A key name longer than a message can record: the keyring wraps, the header cannot be written.
        using var keyring = new RawAesKeyring("test-ns", new string('k', 70_000), Keys.AesKey(32));
        var cmm = new RecordingCmm(new DefaultCryptographicMaterialsManager(keyring));
        var e = await Assert.ThrowsAsync<EncryptionSdkException>(() => new EncryptionClient().CreateEncryptingStreamAsync(Stream.Null, cmm).AsTask());
        Assert.Equal(EncryptionSdkErrorReason.InvalidInput, e.Reason);

        var materials = Assert.Single(cmm.Handed);
        Assert.All(materials.PlaintextDataKey!, b => Assert.Equal(0, b));
    }

    /// <summary>A CMM that keeps the materials it hands out, to look at them after the caller is done.</summary>
    private sealed class RecordingCmm(ICryptographicMaterialsManager inner) : ICryptographicMaterialsManager
    {
        public List<EncryptionMaterials> Handed { get; } = [];

        public async ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default)
        {
            var materials = await inner.GetEncryptionMaterialsAsync(request, cancellationToken);
            Handed.Add(materials);
            return materials;
        }

        public ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default) =>
            inner.DecryptMaterialsAsync(request, cancellationToken);
    }
}
