using System.Collections.Immutable;
using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Tests.Support;

/// <summary>KMS keys built in memory, for tests of the pure crypto code (no storage).</summary>
internal static class TestKeys
{
    public static readonly AccountId Account = AccountId.Parse("111122223333");

    public static KmsKey Create(int versions = 1, string region = "us-east-1")
    {
        var now = ManualTimeProvider.DefaultStart;
        return new KmsKey
        {
            Id = KeyId.New(Guid.NewGuid()),
            Account = Account,
            Region = region,
            CreatedAt = now,
            Policy = "{}",
            Versions = [.. Enumerable.Range(1, versions).Select(i => new KeyMaterialVersion(
                (uint)i, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), now,
                i == 1 ? RotationType.Initial : RotationType.OnDemand, RandomNumberGenerator.GetBytes(32)))],
        };
    }
}
