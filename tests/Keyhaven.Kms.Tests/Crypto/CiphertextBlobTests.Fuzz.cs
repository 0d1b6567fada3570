using System.Diagnostics;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;

namespace Keyhaven.Kms.Tests.Crypto;

/// <summary>
/// Fuzz target for the parser of untrusted ciphertext bytes: a seeded campaign (reproducible) of random and mutated
/// inputs. TryParse must never throw, and what it accepts must be self-consistent and never decrypt unless unchanged.
/// </summary>
public sealed partial class CiphertextBlobTests
{
    private const int Seed = 20250301;
    private const int RandomInputs = 25_000;
    private const int MutatedInputs = 25_000;

    [Fact]
    public void Fuzz_TryParseNeverThrowsOnRandomBytes()
    {
        var random = new Random(Seed);
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < RandomInputs; i++)
        {
            var input = new byte[random.Next(0, 160)];
            random.NextBytes(input);
            if (input.Length > 0 && random.Next(2) == 0)
            {
                input[0] = CiphertextBlob.FormatVersion; // half the inputs get past the first check
                if (input.Length > 1)
                {
                    input[1] = (byte)random.Next(0, 20);
                }
            }

            ParseOrFail(input, i);
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"The campaign took {stopwatch.Elapsed}.");
    }

    [Fact]
    public void Fuzz_TryParseNeverThrowsOnMutatedValidBlobs_AndMutantsNeverDecrypt()
    {
        var random = new Random(Seed + 1);
        var keys = new[] { TestKeys.Create(), TestKeys.Create(versions: 4, region: "ap-southeast-2") };
        var context = EncryptionContext.From(new Dictionary<string, string> { ["purpose"] = "fuzz" });
        var seeds = keys.SelectMany(k => new[] { 0, 1, 17, 300 }.Select(n =>
            (Key: k, Blob: SymmetricCipher.Encrypt(k, new byte[n], context, SystemRandomSource.Instance)))).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var accepted = 0;

        for (var i = 0; i < MutatedInputs; i++)
        {
            var (key, original) = seeds[random.Next(seeds.Length)];
            var mutant = Mutate(original, random);
            if (ParseOrFail(mutant, i) && !mutant.AsSpan().SequenceEqual(original))
            {
                accepted++;
                CiphertextBlob.TryParse(mutant, out var parsed);
                Assert.Null(SymmetricCipher.TryDecrypt(key, parsed, context));
            }
        }

        Assert.True(accepted > MutatedInputs / 10, $"Only {accepted} mutants parsed: the campaign does not reach past the header.");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"The campaign took {stopwatch.Elapsed}.");
    }

    /// <summary>Parses; on success checks the parts tile the blob. Fails the test with the input when TryParse throws.</summary>
    private static bool ParseOrFail(byte[] input, int iteration)
    {
        bool ok;
        try
        {
            ok = CiphertextBlob.TryParse(input, out var parsed);
            if (ok)
            {
                Assert.True(parsed.HeaderLength + CiphertextBlob.TagLength <= input.Length);
                Assert.Equal(input.Length, parsed.Header.Length + parsed.Ciphertext.Length + parsed.Tag.Length);
                Assert.Equal(CiphertextBlob.SaltLength, parsed.Salt.Length);
                Assert.Equal(CiphertextBlob.NonceLength, parsed.Nonce.Length);
                Assert.True(KeyId.TryParse(parsed.KeyId.Value, out _));
                Assert.All(parsed.Region, c => Assert.InRange(c, '!', '~'));
                Assert.Equal(12, parsed.Account.Value.Length);
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"TryParse threw {e.GetType().Name} on input {iteration}: {Convert.ToHexString(input)}");
            throw;
        }

        return ok;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: // flip one bit
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0: // overwrite a byte
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0: // truncate
                    bytes = bytes.Take(random.Next(bytes.Count)).ToList();
                    break;
                case 3: // insert bytes
                    var count = random.Next(1, 8);
                    var insert = new byte[count];
                    random.NextBytes(insert);
                    bytes.InsertRange(random.Next(bytes.Count + 1), insert);
                    break;
                case 4 when bytes.Count > 1: // corrupt the region length
                    bytes[1] = (byte)random.Next(256);
                    break;
                case 5 when bytes.Count > 1 && bytes.Count > 2 + bytes[1] + 12: // corrupt the key id length
                    bytes[2 + bytes[1] + 12] = (byte)random.Next(256);
                    break;
                default: // delete a byte
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveAt(random.Next(bytes.Count));
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
