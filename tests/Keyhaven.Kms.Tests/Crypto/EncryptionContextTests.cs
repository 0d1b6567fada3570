using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Tests.Crypto;

/// <summary>The canonical form of an encryption context: independent of order, injective, bounded.</summary>
public sealed class EncryptionContextTests
{
    private static byte[] Canonical(EncryptionContext context)
    {
        var bytes = new byte[context.SerializedLength];
        Assert.Equal(bytes.Length, context.WriteCanonical(bytes));
        return bytes;
    }

    private static byte[] Canonical(params (string Key, string Value)[] pairs) =>
        Canonical(EncryptionContext.From(pairs.ToDictionary(p => p.Key, p => p.Value)));

    [Fact]
    public void CanonicalForm_IsCountThenLengthPrefixedPairsSortedByKey() =>
        Assert.Equal(
            new byte[] { 0, 2, 0, 1, (byte)'a', 0, 1, (byte)'1', 0, 2, (byte)'b', (byte)'b', 0, 0 },
            Canonical(("bb", ""), ("a", "1")));

    [Fact]
    public void NullOrEmpty_IsTheEmptyContext()
    {
        Assert.Same(EncryptionContext.Empty, EncryptionContext.From(null));
        Assert.Same(EncryptionContext.Empty, EncryptionContext.From(new Dictionary<string, string>()));
        Assert.Equal(new byte[] { 0, 0 }, Canonical(EncryptionContext.Empty));
    }

    [Fact]
    public void KeysThatOnlySplitDifferently_SerializeDifferently()
    {
        Assert.NotEqual(Canonical(("a", "bc")), Canonical(("ab", "c")));
        Assert.NotEqual(Canonical(("a", "b"), ("c", "d")), Canonical(("a", "bcd")));
        Assert.NotEqual(Canonical(("a", "")), Canonical(("a", "\0")));
    }

    [Fact]
    public void Keys_AreSortedByUtf8Bytes_NotUtf16CodeUnits()
    {
        // U+FF61 is EF BD A1 in UTF-8 and sorts before U+1F511 (F0 9F 94 91); in UTF-16 the surrogate D83D sorts first.
        var bytes = Canonical(("\U0001F511", "second"), ("\uFF61", "first"));

        Assert.Equal(new byte[] { 0, 3, 0xEF, 0xBD, 0xA1 }, bytes[2..7]);
    }

    [Fact]
    public void SerializedLength_CountsUtf8Bytes()
    {
        var context = EncryptionContext.From(new Dictionary<string, string> { ["é"] = "€" });

        Assert.Equal(2 + 2 + 2 + 2 + 3, context.SerializedLength);
    }

    [Fact]
    public void AnEmptyKey_IsRejected()
    {
        var error = Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { [""] = "v" }));

        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
        Assert.Contains("encryptionContext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMemberName_IsNamedInTheError()
    {
        var error = Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { [""] = "v" }, "sourceEncryptionContext"));

        Assert.Contains("sourceEncryptionContext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSizeLimit_IsEnforcedOnTheSerializedForm()
    {
        // 2 (count) + 2 + 1 (key) + 2 + value = 8192 at most.
        var largest = EncryptionContext.From(new Dictionary<string, string> { ["k"] = new string('v', 8192 - 7) });
        Assert.Equal(EncryptionContext.MaxSerializedLength, largest.SerializedLength);

        var error = Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { ["k"] = new string('v', 8192 - 6) }));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
    }

    [Fact]
    public void TheSizeLimit_CountsMultiByteCharactersByTheirUtf8Length()
    {
        // 2730 three-byte characters are 8190 bytes: over the limit with the 7 bytes of framing, though only 2730 chars.
        Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { ["k"] = new string('€', 2730) }));
    }

    [Fact]
    public void TheSizeLimit_CountsManySmallPairs()
    {
        // Each pair "k1000".."k1818" => "v" is 2 + 5 + 2 + 1 = 10 bytes: 819 pairs and the count make exactly 8192.
        static Dictionary<string, string> Pairs(int count) =>
            Enumerable.Range(1000, count).ToDictionary(i => "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => "v");

        Assert.Equal(EncryptionContext.MaxSerializedLength, EncryptionContext.From(Pairs(819)).SerializedLength);
        Assert.Throws<KmsException>(() => EncryptionContext.From(Pairs(820)));
    }

    [Fact]
    public void IllFormedUtf16_IsRejected()
    {
        // {"\uD800": "x"} and {"\uFFFD": "x"} would otherwise serialize identically.
        var error = Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { ["\uD800"] = "x" }));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
        Assert.Throws<KmsException>(() => EncryptionContext.From(new Dictionary<string, string> { ["k"] = "\uDC00" }));
    }

    private static readonly Gen<string> SmallText =
        from length in Gen.Choose(0, 3)
        from chars in Gen.ArrayOf(Gen.Elements('a', 'b', '\0', 'é', '\uFF61'), length)
        select new string(chars);

    private static readonly Gen<Dictionary<string, string>> SmallContext =
        from count in Gen.Choose(0, 4)
        from keys in Gen.ArrayOf(SmallText.Where(k => k.Length > 0), count)
        from values in Gen.ArrayOf(SmallText, count)
        select keys.Zip(values).DistinctBy(p => p.First, StringComparer.Ordinal).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

    [Property(MaxTest = 300)]
    public Property CanonicalForm_IsIndependentOfInsertionOrder() =>
        Prop.ForAll(SmallContext.SelectMany(d => Gen.Shuffle(d.ToArray()), (d, shuffled) => (d, shuffled)).ToArbitrary(), input =>
        {
            var reordered = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in input.shuffled)
            {
                reordered.Add(key, value);
            }

            return Canonical(EncryptionContext.From(input.d)).AsSpan().SequenceEqual(Canonical(EncryptionContext.From(reordered)));
        });

    [Property(MaxTest = 2000)]
    public Property CanonicalForm_IsInjective() =>
        // Over a small alphabet collisions of the inputs are frequent, so both directions get exercised.
        Prop.ForAll(SmallContext.ToArbitrary(), SmallContext.ToArbitrary(), (a, b) =>
        {
            var sameContext = a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
            var sameBytes = Canonical(EncryptionContext.From(a)).AsSpan().SequenceEqual(Canonical(EncryptionContext.From(b)));
            return sameContext == sameBytes;
        });
}
