using System.Security.Cryptography;
using System.Text;
using Keyhaven.Encryption.Keyrings.Hierarchy;

namespace Keyhaven.Encryption.Tests.Hierarchy;

/// <summary>spec: framework/aws-kms/aws-kms-hierarchical-keyring.md#branch-key-wrapping (pure, no KMS).</summary>
public sealed class BranchKeyWrappingTests
{
    private static readonly Dictionary<string, string> Context = new() { ["a"] = "b" };

    private static BranchKeyMaterials BranchKey() =>
        new("bk", "83eec007-5659-4554-bf11-699b90f41ac6", new Dictionary<string, string>(), Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void Wrapping_key_is_the_sp800_108_counter_mode_kdf_with_hmac_sha256()
    {
        // One block: HMAC-SHA256(branch key, [1]_32 || "aws-kms-hierarchy" || 0x00 || salt || [256]_32).
        var key = BranchKey().BranchKey;
        var salt = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        byte[] input = [0, 0, 0, 1, .. Encoding.UTF8.GetBytes("aws-kms-hierarchy"), 0, .. salt, 0, 0, 1, 0];
        Assert.Equal(HMACSHA256.HashData(key, input), BranchKeyWrapping.DeriveWrappingKey(key, salt));
    }

    [Fact]
    public void Version_bytes_are_the_uuid_in_rfc_order()
    {
        Assert.Equal(Convert.FromHexString("83eec0075659 4554bf11699b90f41ac6".Replace(" ", string.Empty, StringComparison.Ordinal)), BranchKeyWrapping.VersionBytes("83eec007-5659-4554-bf11-699b90f41ac6"));
        Assert.Equal("83eec007-5659-4554-bf11-699b90f41ac6", BranchKeyWrapping.VersionString(BranchKeyWrapping.VersionBytes("83eec007-5659-4554-bf11-699b90f41ac6")));
    }

    [Fact]
    public void Unwrap_fails_for_any_changed_byte_other_context_or_other_branch_key_id()
    {
        using var branchKey = BranchKey();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = BranchKeyWrapping.Wrap(branchKey, dataKey, Context);
        Assert.Equal(dataKey, BranchKeyWrapping.TryUnwrap(branchKey, wrapped, 32, Context));

        for (var i = 0; i < wrapped.Length; i++)
        {
            var changed = (byte[])wrapped.Clone();
            changed[i] ^= 1;
            Assert.Null(BranchKeyWrapping.TryUnwrap(branchKey, changed, 32, Context));
        }

        Assert.Null(BranchKeyWrapping.TryUnwrap(branchKey, wrapped, 32, new Dictionary<string, string> { ["a"] = "c" }));
        using var renamed = new BranchKeyMaterials("other", branchKey.BranchKeyVersion, branchKey.EncryptionContext, (byte[])branchKey.BranchKey.Clone());
        Assert.Null(BranchKeyWrapping.TryUnwrap(renamed, wrapped, 32, Context));
    }
}
