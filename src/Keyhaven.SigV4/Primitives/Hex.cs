namespace Keyhaven.SigV4;

/// <summary>Lower-case hex encoding into caller-provided buffers.</summary>
internal static class Hex
{
    private static ReadOnlySpan<byte> LowerDigits => "0123456789abcdef"u8;

    /// <summary>Writes <paramref name="source"/> as lower-case hex ASCII; destination must hold 2 bytes per input byte.</summary>
    public static void WriteLower(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[2 * i] = LowerDigits[source[i] >> 4];
            destination[(2 * i) + 1] = LowerDigits[source[i] & 0xF];
        }
    }

    /// <summary>Decodes exactly <c>destination.Length * 2</c> lower-case hex characters; false on any other input.</summary>
    public static bool TryDecodeLower(ReadOnlySpan<char> source, Span<byte> destination)
    {
        if (source.Length != destination.Length * 2)
        {
            return false;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int hi = Nibble(source[2 * i]);
            int lo = Nibble(source[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
