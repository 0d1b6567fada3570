using System.Text;
using System.Text.Json;

namespace Keyhaven.SigV4.Tests.Fixtures;

/// <summary>
/// Reads the aws-c-auth SigV4 test suite from ../shared/fixtures/sigv4 (never copied into the repo).
/// </summary>
internal static class SigV4TestSuite
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Directory => Root.Value;

    public static IEnumerable<string> CaseNames() =>
        System.IO.Directory.GetDirectories(Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static SigV4TestCase Load(string name) => SigV4TestCase.Load(Path.Combine(Directory, name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyhaven.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "sigv4"));
            }
        }

        throw new InvalidOperationException($"No folder containing Keyhaven.slnx above `{AppContext.BaseDirectory}`.");
    }
}

/// <summary>One case folder: the parsed request, its context and the expected outputs.</summary>
internal sealed class SigV4TestCase
{
    public required string Name { get; init; }
    public required string Folder { get; init; }
    public required string RequestText { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required string Query { get; init; }
    public required string HttpVersion { get; init; }
    public required List<string> HeaderLines { get; init; }
    public required List<HttpHeader> Headers { get; init; }
    public required string Body { get; init; }
    public required SigV4Credentials Credentials { get; init; }
    public required string Region { get; init; }
    public required string Service { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required int ExpirationSeconds { get; init; }
    public required bool Normalize { get; init; }
    public required bool SignBody { get; init; }
    public required bool OmitSessionToken { get; init; }

    public string Expected(string file) => File.ReadAllText(System.IO.Path.Combine(Folder, file));

    public SigV4SigningRequest ToSigningRequest() =>
        new(Method, Path, Query, Headers, PayloadHash.Compute(Encoding.UTF8.GetBytes(Body)));

    public SigV4SigningOptions Options => new()
    {
        SigningTime = Timestamp,
        NormalizePath = Normalize,
        AddContentSha256Header = SignBody,
        SignSessionToken = !OmitSessionToken,
    };

    /// <summary>The raw request rebuilt with another query and extra header lines, in request.txt layout.</summary>
    public string Render(string query, IEnumerable<HttpHeader> extraHeaders)
    {
        var sb = new StringBuilder();
        sb.Append(Method).Append(' ').Append(Path);
        if (query.Length > 0)
        {
            sb.Append('?').Append(query);
        }

        sb.Append(' ').Append(HttpVersion).Append('\n');
        foreach (string line in HeaderLines)
        {
            sb.Append(line).Append('\n');
        }

        foreach (HttpHeader h in extraHeaders)
        {
            sb.Append(h.Name).Append(':').Append(h.Value).Append('\n');
        }

        sb.Append('\n').Append(Body);
        return sb.ToString();
    }

    public static SigV4TestCase Load(string folder)
    {
        string text = File.ReadAllText(System.IO.Path.Combine(folder, "request.txt"));
        int split = text.IndexOf("\n\n", StringComparison.Ordinal);
        string head = split < 0 ? text.TrimEnd('\n') : text[..split];
        string body = split < 0 ? "" : text[(split + 2)..];
        string[] lines = head.Split('\n');

        // Request line: METHOD SP target SP version; the target may itself contain spaces (get-space-*).
        string requestLine = lines[0];
        int firstSpace = requestLine.IndexOf(' ');
        int lastSpace = requestLine.LastIndexOf(' ');
        string target = requestLine[(firstSpace + 1)..lastSpace];
        int q = target.IndexOf('?');

        var headers = new List<HttpHeader>();
        var headerLines = new List<string>();
        foreach (string line in lines.Skip(1))
        {
            headerLines.Add(line);
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                // RFC 9112 section 5.2: obs-fold is replaced by one SP before interpretation.
                HttpHeader last = headers[^1];
                headers[^1] = last with { Value = last.Value + " " + line };
                continue;
            }

            int colon = line.IndexOf(':');
            headers.Add(new HttpHeader(line[..colon], line[(colon + 1)..]));
        }

        using JsonDocument ctx = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(folder, "context.json")));
        JsonElement root = ctx.RootElement;
        JsonElement creds = root.GetProperty("credentials");
        return new SigV4TestCase
        {
            Name = System.IO.Path.GetFileName(folder),
            Folder = folder,
            RequestText = text,
            Method = requestLine[..firstSpace],
            Path = q < 0 ? target : target[..q],
            Query = q < 0 ? "" : target[(q + 1)..],
            HttpVersion = requestLine[(lastSpace + 1)..],
            HeaderLines = headerLines,
            Headers = headers,
            Body = body,
            Credentials = new SigV4Credentials(
                creds.GetProperty("access_key_id").GetString()!,
                creds.GetProperty("secret_access_key").GetString()!,
                creds.TryGetProperty("token", out JsonElement token) ? token.GetString() : null),
            Region = root.GetProperty("region").GetString()!,
            Service = root.GetProperty("service").GetString()!,
            Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            ExpirationSeconds = root.GetProperty("expiration_in_seconds").GetInt32(),
            Normalize = !root.TryGetProperty("normalize", out JsonElement n) || n.GetBoolean(),
            SignBody = root.TryGetProperty("sign_body", out JsonElement sb) && sb.GetBoolean(),
            OmitSessionToken = root.TryGetProperty("omit_session_token", out JsonElement o) && o.GetBoolean(),
        };
    }
}
