using System.Buffers.Binary;
using System.Text;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Crypto;

/// <summary>
/// Non-secret key/value pairs bound to a ciphertext as associated data: decryption needs exactly the same pairs.
/// The canonical form sorts pairs by the UTF-8 bytes of the key and length-prefixes every part, so that two different
/// contexts never serialize alike.
/// </summary>
public sealed class EncryptionContext
{
    /// <summary>Largest canonical form accepted, in bytes.</summary>
    public const int MaxSerializedLength = 8192;

    public static readonly EncryptionContext Empty = new([]);

    private readonly KeyValuePair<string, string>[] _pairs;

    private EncryptionContext(KeyValuePair<string, string>[] pairs) => _pairs = pairs;

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <exception cref="KmsException">ValidationException when a key is empty or the context is too large.</exception>
    public static EncryptionContext From(IReadOnlyDictionary<string, string>? pairs, string member = "encryptionContext")
    {
        if (pairs is null || pairs.Count == 0)
        {
            return Empty;
        }

        var sorted = pairs.OrderBy(p => p.Key, Utf8Comparer.Instance).ToArray();
        var context = new EncryptionContext(sorted);
        if (sorted.Any(p => p.Key.Length == 0))
        {
            KmsErrors.Validation(member, "Member keys must have length greater than or equal to 1");
        }

        // Lone surrogates would all encode as U+FFFD, so two different contexts could share one canonical form.
        if (sorted.Any(p => !IsWellFormed(p.Key) || !IsWellFormed(p.Value)))
        {
            KmsErrors.Validation(member, "Member keys and values must be well-formed Unicode text");
        }

        if (context.SerializedLength > MaxSerializedLength)
        {
            KmsErrors.Validation(member, $"Member must have a serialized length less than or equal to {MaxSerializedLength} bytes");
        }

        return context;
    }

    public int SerializedLength => 2 + _pairs.Sum(p => 4 + Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));

    /// <summary>Writes the canonical form: count (u16), then per pair key length (u16), key, value length (u16), value.</summary>
    public int WriteCanonical(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)_pairs.Length);
        var offset = 2;
        foreach (var (key, value) in _pairs)
        {
            offset += WritePart(destination[offset..], key);
            offset += WritePart(destination[offset..], value);
        }

        return offset;
    }

    private static bool IsWellFormed(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return true;
        }

        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            i += consumed;
        }

        return true;
    }

    private static int WritePart(Span<byte> destination, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        return 2 + length;
    }

    private sealed class Utf8Comparer : IComparer<string>
    {
        public static readonly Utf8Comparer Instance = new();

        // Ordinal UTF-16 order differs from UTF-8 byte order only for surrogates; compare by scalar values instead.
        public int Compare(string? x, string? y)
        {
            var a = (x ?? string.Empty).EnumerateRunes();
            var b = (y ?? string.Empty).EnumerateRunes();
            while (true)
            {
                var hasA = a.MoveNext();
                var hasB = b.MoveNext();
                if (!hasA || !hasB)
                {
                    return hasA.CompareTo(hasB);
                }

                var order = a.Current.Value.CompareTo(b.Current.Value);
                if (order != 0)
                {
                    return order;
                }
            }
        }
    }
}
