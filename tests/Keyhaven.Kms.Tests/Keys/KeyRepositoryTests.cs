using System.Text;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Keys;

/// <summary>Key records in storage: complete round trip, and key material never at rest in plaintext.</summary>
public sealed class KeyRepositoryTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Fact]
    public async Task KeyRecords_NeverHoldMaterialInPlaintext_InRecordsOrDatabaseFiles()
    {
        var key = await _kms.CreateKeyAsync("at-rest-check");
        await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);
        await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);
        var stored = (await _kms.ReadStoredAsync(key))!;
        Assert.Equal(3, stored.Versions.Length);

        // The JSON document inside the barrier carries material as base64; look for both forms.
        var needles = stored.Versions.SelectMany(v => new[] { v.Material, Encoding.UTF8.GetBytes(Convert.ToBase64String(v.Material)) }).ToList();
        needles.Add(Encoding.UTF8.GetBytes("at-rest-check")); // the description, sealed too

        var raw = await _kms.RawEntriesAsync(KeyRepository.Table);
        var entry = Assert.Single(raw);
        Assert.Contains(key.Id.Value, entry.Key.Id, StringComparison.Ordinal); // ids are in the clear by design
        foreach (var needle in needles)
        {
            Assert.True(entry.Value.AsSpan().IndexOf(needle) < 0);
        }

        var files = new[] { "", "-wal", "-shm" }.Select(s => _kms.DatabasePath + s).Where(File.Exists).ToArray();
        var contents = files.Select(ReadShared).ToArray();
        Assert.Contains(contents, c => c.AsSpan().IndexOf(Encoding.UTF8.GetBytes(key.Id.Value)) >= 0); // positive control
        foreach (var content in contents)
        {
            foreach (var needle in needles)
            {
                Assert.True(content.AsSpan().IndexOf(needle) < 0);
            }
        }
    }

    [Fact]
    public async Task AKeyRecord_RoundTripsThroughStorage()
    {
        var key = await _kms.CreateKeyAsync("described");
        key = await _kms.Domain.Rotation.EnableAsync(Caller, key.Id.Value, 180, None);
        key = await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);

        var stored = (await _kms.NewDomain().Keys.FindAsync(key.Account, key.Region, key.Id, None))!;

        Assert.Equal(key.Id, stored.Id);
        Assert.Equal(key.Arn, stored.Arn);
        Assert.Equal("described", stored.Description);
        Assert.Equal(key.Policy, stored.Policy);
        Assert.Equal(180, stored.RotationPeriodInDays);
        Assert.Equal(key.NextRotationDate, stored.NextRotationDate);
        Assert.Equal(key.StoreVersion, stored.StoreVersion);
        Assert.Equal(key.Versions.Select(v => (v.Ordinal, v.MaterialId, v.CreatedAt, v.RotationType)),
            stored.Versions.Select(v => (v.Ordinal, v.MaterialId, v.CreatedAt, v.RotationType)));
        Assert.All(key.Versions.Zip(stored.Versions), p => Assert.Equal(p.First.Material, p.Second.Material));
    }

    [Fact]
    public async Task EveryVersion_HasFreshMaterialAndMaterialId()
    {
        var key = await _kms.CreateKeyAsync();
        for (var i = 0; i < 3; i++)
        {
            key = await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);
        }

        Assert.Equal(4, key.Versions.Select(v => Convert.ToHexString(v.Material)).Distinct().Count());
        Assert.Equal(4, key.Versions.Select(v => v.MaterialId).Distinct().Count());
        Assert.All(key.Versions, v => Assert.Matches("^[0-9a-f]{64}$", v.MaterialId));
        Assert.All(key.Versions, v => Assert.Equal(32, v.Material.Length));
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
