using System.Text;
using Keyhaven.SigV4.Canonicalization;

namespace Keyhaven.SigV4.Verification;

/// <summary>
/// The X-Amz-* authentication parameters of a presigned request, percent-decoded.
/// spec: AWS SigV4 "Add the signature to the query string" (query string authentication).
/// </summary>
internal sealed class PresignedParameters
{
    public string? Algorithm { get; private set; }
    public string? Credential { get; private set; }
    public string? Date { get; private set; }
    public string? Expires { get; private set; }
    public string? SignedHeaders { get; private set; }
    public string? Signature { get; private set; }
    public string? SecurityToken { get; private set; }

    /// <summary>Cheap test run on every request: does the query carry presigned authentication at all?</summary>
    public static bool IsPresent(string rawQuery) =>
        rawQuery.Length != 0
        && (rawQuery.Contains("X-Amz-Algorithm=", StringComparison.Ordinal) || rawQuery.Contains("X-Amz-Signature=", StringComparison.Ordinal)
            || rawQuery.Contains("X-Amz-Credential=", StringComparison.Ordinal));

    /// <summary>Parses the parameters; returns the name of a parameter given twice, or null.</summary>
    public static PresignedParameters Parse(string rawQuery, out string? duplicate)
    {
        var result = new PresignedParameters();
        duplicate = null;
        foreach (string part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string name = Decode(eq < 0 ? part : part[..eq]);
            if (!name.StartsWith("X-Amz-", StringComparison.Ordinal))
            {
                continue;
            }

            string value = Decode(eq < 0 ? "" : part[(eq + 1)..]);
            bool dup = name switch
            {
                "X-Amz-Algorithm" => Set(result, static (r, v) => r.Algorithm = v, result.Algorithm, value),
                "X-Amz-Credential" => Set(result, static (r, v) => r.Credential = v, result.Credential, value),
                "X-Amz-Date" => Set(result, static (r, v) => r.Date = v, result.Date, value),
                "X-Amz-Expires" => Set(result, static (r, v) => r.Expires = v, result.Expires, value),
                "X-Amz-SignedHeaders" => Set(result, static (r, v) => r.SignedHeaders = v, result.SignedHeaders, value),
                "X-Amz-Signature" => Set(result, static (r, v) => r.Signature = v, result.Signature, value),
                "X-Amz-Security-Token" => Set(result, static (r, v) => r.SecurityToken = v, result.SecurityToken, value),
                _ => false,
            };
            if (dup)
            {
                duplicate ??= name;
            }
        }

        return result;
    }

    private static bool Set(PresignedParameters target, Action<PresignedParameters, string> setter, string? current, string value)
    {
        if (current is not null)
        {
            return true;
        }

        setter(target, value);
        return false;
    }

    private static string Decode(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        int length = UriEncoding.DecodeInPlace(utf8);
        return Encoding.UTF8.GetString(utf8, 0, length);
    }
}
