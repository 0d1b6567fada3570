using Keyhaven.Encryption.Tests.Kms;

namespace Keyhaven.Encryption.Tests.Hierarchy;

public sealed partial class HierarchicalKeyringTests
{
    [Fact]
    public async Task Branch_keys_in_kms_responses_are_zeroed()
    {
        var (store, _, _) = await NewStoreAsync();
        var id = await store.CreateKeyAsync();
        var plaintexts = await AwsKmsKeyringTests.PlaintextsOfResponsesAsync(fixture.Kms, async () =>
        {
            using var branchKey = await store.GetActiveBranchKeyAsync(id);
            Assert.Equal(32, branchKey.BranchKey.Length);
        });
        Assert.All(Assert.Single(plaintexts).ToArray(), b => Assert.Equal(0, b));
    }
}
