using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Keyhaven.Policy.Conditions;

/// <summary>Parses typed condition values (policy side at compile time, request side at evaluation time).</summary>
internal static class ConditionValueParser
{
    // spec: reference_policies_elements_condition_operators.html#Conditions_Date — ISO 8601 or epoch (UNIX) seconds.
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-ddTHH:mmK",
        "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyyMMddTHHmmssK",
    ];

    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    /// <summary>Parses ISO 8601 (a missing offset means UTC) or epoch seconds to UTC ticks.</summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out long utcTicks)
    {
        utcTicks = 0;
        if (text.Length == 0)
        {
            return false;
        }

        bool allDigits = true;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c) && c != '.')
            {
                allDigits = false;
                break;
            }
        }

        if (allDigits && text.Length != 8)
        {
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds)
                || seconds > 253402300799d)
            {
                return false;
            }

            utcTicks = DateTime.UnixEpoch.Ticks + (long)(seconds * TimeSpan.TicksPerSecond);
            return true;
        }

        if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            utcTicks = parsed.UtcTicks;
            return true;
        }

        return false;
    }

    public static bool TryParseBool(ReadOnlySpan<char> text, out bool value)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return text.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses a CIDR block or a single address (a /32 or /128 network); host bits are masked off.</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        network = default;
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3 || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix)
            {
                return false;
            }
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            return false;
        }

        bytes = bytes[..written];
        for (int bit = prefix; bit < written * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    public static bool TryParseBase64(string text)
    {
        Span<byte> buffer = text.Length <= 1024 ? stackalloc byte[text.Length] : new byte[text.Length];
        return text.Length > 0 && Convert.TryFromBase64String(text, buffer, out _);
    }
}
