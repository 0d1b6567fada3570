using Keyhaven.Encryption.Materials;
using Keyhaven.Encryption.Suites;
using Keyhaven.Encryption.Tests.Support;

namespace Keyhaven.Encryption.Tests.Message;

/// <summary>
/// The materials manager may choose another suite than the one asked for; the commitment policy still decides.
/// spec: client-apis/encrypt.md#get-the-encryption-materials
/// </summary>
public sealed class SuiteChoiceTests
{
    [Fact]
    public async Task A_materials_manager_may_choose_another_suite_the_policy_allows()
    {
        var client = new EncryptionClient();
        var cmm = new SuitePinningCmm(new DefaultCryptographicMaterialsManager(Keys.Aes()), AlgorithmSuite.AesGcm256HkdfSha512Commit);
        var options = new EncryptOptions { Suite = AlgorithmSuiteId.AesGcm256HkdfSha512CommitEcdsaP384 };

        var encrypted = client.Encrypt(Keys.Plaintext(10), cmm, options);
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, encrypted.Suite);
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, MessageInspection.Header(encrypted.Ciphertext).Suite.Id);
        Assert.Equal(Keys.Plaintext(10), client.Decrypt(encrypted.Ciphertext, Keys.Aes()).Plaintext);

        await using var stream = await client.CreateEncryptingStreamAsync(Stream.Null, cmm, options);
        Assert.Equal(AlgorithmSuiteId.AesGcm256HkdfSha512Commit, stream.Suite);
    }

    [Fact]
    public void A_suite_the_commitment_policy_refuses_is_refused_whoever_chose_it()
    {
        var cmm = new SuitePinningCmm(new DefaultCryptographicMaterialsManager(Keys.Aes()), AlgorithmSuite.AesGcm256HkdfSha256, ignoringPolicy: true);
        var e = Assert.Throws<EncryptionSdkException>(() => new EncryptionClient().Encrypt(Keys.Plaintext(10), cmm));
        Assert.Equal(EncryptionSdkErrorReason.CommitmentPolicyViolation, e.Reason);
    }

    /// <summary>A materials manager that always uses one suite, whatever the request asks (and, if told so, allows).</summary>
    private sealed class SuitePinningCmm(ICryptographicMaterialsManager inner, AlgorithmSuite suite, bool ignoringPolicy = false) : ICryptographicMaterialsManager
    {
        public ValueTask<EncryptionMaterials> GetEncryptionMaterialsAsync(EncryptionMaterialsRequest request, CancellationToken cancellationToken = default) =>
            inner.GetEncryptionMaterialsAsync(
                request with { Suite = suite, CommitmentPolicy = ignoringPolicy ? CommitmentPolicy.ForbidEncryptAllowDecrypt : request.CommitmentPolicy },
                cancellationToken);

        public ValueTask<DecryptionMaterials> DecryptMaterialsAsync(DecryptionMaterialsRequest request, CancellationToken cancellationToken = default) =>
            inner.DecryptMaterialsAsync(request, cancellationToken);
    }
}
