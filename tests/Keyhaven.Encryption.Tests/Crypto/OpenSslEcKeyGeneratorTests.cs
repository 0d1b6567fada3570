using System.Security.Cryptography;
using Keyhaven.Encryption.Crypto;

namespace Keyhaven.Encryption.Tests.Crypto;

/// <summary>The per-message signing keys generated through OpenSSL directly: real keys of the right curve that .NET signs with.</summary>
public sealed class OpenSslEcKeyGeneratorTests
{
    public static TheoryData<string, int> Curves => new() { { "1.2.840.10045.3.1.7", 32 }, { "1.3.132.0.34", 48 } };

    [Fact]
    public void Is_used_where_dotnet_runs_on_OpenSSL_3()
    {
        // This suite runs on Linux with OpenSSL 3 (Debian 12): the fast path must be taken there, not silently skipped.
        var expected = OperatingSystem.IsLinux() && SafeEvpPKeyHandle.OpenSslVersion >= 0x3000_0000L;
        Assert.Equal(expected, OpenSslEcKeyGenerator.IsAvailable);
        Assert.True(OpenSslEcKeyGenerator.IsAvailable, "expected OpenSSL 3 on the test machine");
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Generates_a_valid_key_pair_on_the_curve(string oid, int fieldLength)
    {
        using var key = OpenSslEcKeyGenerator.TryGenerate(ECCurve.CreateFromValue(oid));
        Assert.NotNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        Assert.Equal(oid, parameters.Curve.Oid.Value);
        Assert.Equal(fieldLength, parameters.D!.Length);

        // Importing D with Q makes OpenSSL check that Q = D x G and that Q is on the curve.
        using var imported = ECDsa.Create(parameters);
        var hash = SHA384.HashData("message"u8);
        var signature = key.SignHash(hash);
        using var verifier = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
        Assert.True(verifier.VerifyHash(hash, signature));
        Assert.True(imported.VerifyHash(hash, signature));
        hash[0] ^= 1;
        Assert.False(verifier.VerifyHash(hash, signature));
    }

    [Fact]
    public void Every_key_is_fresh()
    {
        var scalars = Enumerable.Range(0, 20).Select(_ =>
        {
            using var key = OpenSslEcKeyGenerator.TryGenerate(ECCurve.NamedCurves.nistP384)!;
            return Convert.ToHexString(key.ExportParameters(includePrivateParameters: true).D!);
        }).ToList();
        Assert.Equal(scalars.Count, scalars.Distinct().Count());
    }

    [Fact]
    public void Declines_curves_the_suites_do_not_use()
    {
        Assert.Null(OpenSslEcKeyGenerator.TryGenerate(ECCurve.NamedCurves.nistP521));
    }
}
