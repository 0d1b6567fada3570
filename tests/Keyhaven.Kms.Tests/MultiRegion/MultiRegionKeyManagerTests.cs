using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.MultiRegion;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.MultiRegion;

/// <summary>Multi-Region keys in the domain, over the real storage stack: ids, records, the one-transaction sync of related keys.</summary>
public sealed class MultiRegionKeyManagerTests : IAsyncLifetime
{
    private static readonly Accounts.KmsCaller West = Caller with { Region = "eu-west-1" };
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Theory]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890ab", true)]
    [InlineData("mrk-1234ABCD12ab34cd56ef1234567890ab", false)] // AWS ids are lowercase
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890a", false)]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890abc", false)]
    [InlineData("mrk-1234abcd-12ab-34cd-56ef-1234567890", false)]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890ag", false)]
    public void KeyId_parses_multi_Region_ids(string text, bool valid)
    {
        Assert.Equal(valid, KeyId.TryParse(text, out var keyId));
        Assert.Equal(valid, keyId.IsMultiRegion);
    }

    [Fact]
    public async Task A_replica_shares_id_and_material_and_every_record_names_the_related_regions()
    {
        var primary = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest("p", null, null) { MultiRegion = true }, None);
        Assert.True(primary.Id.IsMultiRegion);
        Assert.True(primary.IsMultiRegionPrimary);

        var replica = await _kms.Domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "eu-west-1", new NewReplicaRequest(null, null, null), None);

        Assert.Equal(primary.Id, replica.Id);
        Assert.True(replica.IsMultiRegionReplica);
        Assert.Equal(primary.CurrentVersion.Material, replica.CurrentVersion.Material);
        // Read past the caches, as a restarted server would: both records carry the same configuration.
        var restarted = _kms.NewDomain();
        var storedPrimary = (await restarted.Keys.FindAsync(primary.Account, "us-east-1", primary.Id, None))!;
        var storedReplica = (await restarted.Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!;
        Assert.Equal(new MultiRegionConfiguration("us-east-1", ["eu-west-1"]), storedPrimary.MultiRegion);
        Assert.Equal(storedPrimary.MultiRegion, storedReplica.MultiRegion);
        Assert.Equal(2, storedPrimary.StoreVersion); // created, then its configuration named the replica
        Assert.Equal(1, storedReplica.StoreVersion);
    }

    [Fact]
    public async Task A_rotation_written_through_either_key_reaches_the_other_in_the_same_transaction()
    {
        var primary = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { MultiRegion = true }, None);
        await _kms.Domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "eu-west-1", new NewReplicaRequest(null, null, null), None);

        await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, primary.Id.Value, None);

        var replica = (await _kms.NewDomain().Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!;
        Assert.Equal(2, replica.Versions.Length);
        var blob = await _kms.EncryptAsync(primary, [1, 2, 3]);
        Assert.Equal([1, 2, 3], (await _kms.Domain.Crypto.DecryptAsync(West, blob, Keyhaven.Kms.Crypto.EncryptionContext.Empty, null, null, None)).Plaintext);

        // A change of a key's own property (its state) does not touch the related key.
        await _kms.Domain.KeyManager.DisableAsync(West, primary.Id.Value, None);
        Assert.Equal(KeyState.Enabled, (await _kms.NewDomain().Keys.FindAsync(primary.Account, "us-east-1", primary.Id, None))!.State);
    }

    [Theory]
    [InlineData(false, KmsErrorCode.KMSInvalidStateException)]
    [InlineData(true, KmsErrorCode.DisabledException)]
    public async Task UpdatePrimaryRegion_checks_the_replica_again_inside_its_transaction(bool disable, KmsErrorCode expected)
    {
        // AWS UpdatePrimaryRegion: both keys must be Enabled when the operation starts. Another node changes the replica
        // after this node cached it Enabled (SQLite's change feed never publishes, so this node's cache stays stale):
        // the check before the transaction passes, the one inside must refuse. A replica pending deletion that became the
        // primary would keep its replicas, and the sweeper would delete it from under them.
        var primary = await _kms.Domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { MultiRegion = true }, None);
        await _kms.Domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "eu-west-1", new NewReplicaRequest(null, null, null), None);
        Assert.Equal(KeyState.Enabled, (await _kms.Domain.Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!.State); // cached here
        var otherNode = _kms.NewDomain();
        if (disable)
        {
            await otherNode.KeyManager.DisableAsync(West, primary.Id.Value, None);
        }
        else
        {
            await otherNode.KeyManager.ScheduleDeletionAsync(West, primary.Id.Value, 7, None);
        }

        Assert.Equal(KeyState.Enabled, (await _kms.Domain.Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!.State); // now stale, as intended

        var error = await Assert.ThrowsAsync<KmsException>(() => _kms.Domain.MultiRegion.UpdatePrimaryRegionAsync(Caller, primary.Id.Value, "eu-west-1", None));

        Assert.Equal(expected, error.Code);
        Assert.Contains("eu-west-1", error.Message);
        var stored = _kms.NewDomain();
        var storedPrimary = (await stored.Keys.FindAsync(primary.Account, "us-east-1", primary.Id, None))!;
        var storedReplica = (await stored.Keys.FindAsync(primary.Account, "eu-west-1", primary.Id, None))!;
        Assert.True(storedPrimary.IsMultiRegionPrimary);
        Assert.True(storedReplica.IsMultiRegionReplica);
        Assert.Equal(new MultiRegionConfiguration("us-east-1", ["eu-west-1"]), storedReplica.MultiRegion);
    }

    [Fact]
    public async Task Replication_refuses_unserved_regions_when_the_host_names_its_regions()
    {
        var domain = new KmsDomain(_kms.Store, new Infrastructure.KmsEnvironment(_kms.Clock, Infrastructure.SystemRandomSource.Instance),
            new HashSet<string>(["us-east-1", "eu-west-1"], StringComparer.Ordinal));
        var primary = await domain.KeyManager.CreateAsync(Caller, new NewKeyRequest(null, null, null) { MultiRegion = true }, None);

        var error = await Assert.ThrowsAsync<KmsException>(() => domain.MultiRegion.ReplicateAsync(Caller, primary.Id.Value, "ap-south-1", new NewReplicaRequest(null, null, null), None));

        Assert.Equal(KmsErrorCode.UnsupportedOperationException, error.Code);
        Assert.Contains("eu-west-1, us-east-1", error.Message);
    }

    [Fact]
    public async Task A_record_whose_id_and_multi_Region_configuration_disagree_is_refused()
    {
        var regional = await _kms.CreateKeyAsync();
        var forged = regional with { MultiRegion = new MultiRegionConfiguration("us-east-1", []) };

        var bytes = KeyRecordSerializer.Serialize(forged);

        Assert.Throws<InvalidDataException>(() => KeyRecordSerializer.Deserialize(bytes, 1));
    }
}
