using System.Text;
using System.Web;

namespace Keyhaven.Server.Protocol;

/// <summary>
/// A request of the AWS Query protocol (IAM, STS): a form-encoded body with <c>Action</c>, <c>Version</c> and the
/// operation's parameters, lists as <c>Name.member.N</c> and maps as <c>Name.entry.N.key</c>/<c>.value</c> (or
/// <c>Name.member.N.Key</c>/<c>.Value</c> for tag lists).
/// </summary>
internal sealed class QueryRequest
{
    private readonly Dictionary<string, string> _parameters;

    private QueryRequest(Dictionary<string, string> parameters) => _parameters = parameters;

    public string Action => Get("Action") ?? string.Empty;

    public string Version => Get("Version") ?? string.Empty;

    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <summary>Parses a form-encoded body; a parameter given twice keeps the first value.</summary>
    public static QueryRequest Parse(ReadOnlySpan<byte> body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var form = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(body));
        foreach (var name in form.AllKeys)
        {
            if (name is not null && form.GetValues(name) is [var first, ..])
            {
                parameters.TryAdd(name, first);
            }
        }

        return new QueryRequest(parameters);
    }

    /// <summary>Reads the Action and Version without parsing the whole body into a request.</summary>
    public static bool TryPeekVersion(ReadOnlySpan<byte> body, out string version)
    {
        version = string.Empty;
        if (body.IsEmpty || body.Length > 1024 * 1024)
        {
            return false;
        }

        var parsed = Parse(body);
        version = parsed.Version;
        return parsed.Get("Action") is not null;
    }

    public string? Get(string name) => _parameters.GetValueOrDefault(name);

    /// <summary>The values of a list parameter (<c>Name.member.1</c>, <c>Name.member.2</c>, …) in order.</summary>
    public IReadOnlyList<string> GetList(string name)
    {
        var values = new List<string>();
        for (var i = 1; _parameters.TryGetValue($"{name}.member.{i}", out var value); i++)
        {
            values.Add(value);
        }

        return values;
    }

    /// <summary>A list of structures: for each member, the fields under <c>Name.member.N.</c>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> GetStructureList(string name)
    {
        var items = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 1; ; i++)
        {
            var prefix = $"{name}.member.{i}.";
            var fields = _parameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
            if (fields.Count == 0)
            {
                return items;
            }

            items.Add(fields);
        }
    }
}
