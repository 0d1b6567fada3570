namespace Keyhaven.SigV4.Canonicalization;

/// <summary>
/// Percent-encoding as SigV4 defines it: every byte except the RFC 3986 unreserved set
/// (A-Z a-z 0-9 - . _ ~) becomes %XY with upper-case hex.
/// spec: AWS SigV4 "Create a canonical request" (UriEncode); RFC 3986 section 2.3.
/// </summary>
internal static class UriEncoding
{
    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    public static bool IsUnreserved(byte b) =>
        (uint)(b - 'A') <= 'Z' - 'A'
        || (uint)(b - 'a') <= 'z' - 'a'
        || (uint)(b - '0') <= 9
        || b == '-' || b == '.' || b == '_' || b == '~';

    /// <summary>Percent-encodes <paramref name="source"/>; '/' is kept when <paramref name="keepSlash"/> is set.</summary>
    public static void Encode(ref ByteWriter writer, scoped ReadOnlySpan<byte> source, bool keepSlash)
    {
        Span<byte> dest = writer.GetSpan(source.Length * 3);
        int n = 0;
        foreach (byte b in source)
        {
            if (IsUnreserved(b) || (keepSlash && b == '/'))
            {
                dest[n++] = b;
            }
            else
            {
                dest[n++] = (byte)'%';
                dest[n++] = UpperHex[b >> 4];
                dest[n++] = UpperHex[b & 0xF];
            }
        }

        writer.Advance(n);
    }

    /// <summary>Percent-encodes the UTF-8 form of <paramref name="value"/> ('/' included) into a new string.</summary>
    public static string EncodeToString(string value)
    {
        var writer = new ByteWriter(value.Length * 3);
        try
        {
            byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(value);
            Encode(ref writer, utf8, keepSlash: false);
            return System.Text.Encoding.ASCII.GetString(writer.WrittenSpan);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>
    /// Decodes %XY escapes in place and returns the decoded length. A '%' not followed by two hex digits is kept
    /// literally (it will be re-encoded as %25). '+' is kept literally: SigV4 clients encode a space as %20.
    /// </summary>
    public static int DecodeInPlace(Span<byte> buffer)
    {
        int write = 0;
        for (int read = 0; read < buffer.Length; read++)
        {
            byte b = buffer[read];
            if (b == '%' && read + 2 < buffer.Length
                && TryHex(buffer[read + 1], out int hi) && TryHex(buffer[read + 2], out int lo))
            {
                buffer[write++] = (byte)((hi << 4) | lo);
                read += 2;
            }
            else
            {
                buffer[write++] = b;
            }
        }

        return write;
    }

    private static bool TryHex(byte c, out int value)
    {
        if ((uint)(c - '0') <= 9)
        {
            value = c - '0';
            return true;
        }

        int lower = c | 0x20;
        if ((uint)(lower - 'a') <= 'f' - 'a')
        {
            value = lower - 'a' + 10;
            return true;
        }

        value = 0;
        return false;
    }
}
