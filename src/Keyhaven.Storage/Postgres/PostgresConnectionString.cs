using Npgsql;

namespace Keyhaven.Storage.Postgres;

/// <summary>Turns a <c>postgres://</c> URI (libpq's form) or an Npgsql connection string into Npgsql settings.</summary>
public static class PostgresConnectionString
{
    /// <summary>
    /// Parses <c>postgres://user:password@host:port/database?option=value</c> (also <c>postgresql://</c>; options are
    /// Npgsql keywords, plus libpq's <c>sslmode</c>) or a connection string such as <c>Host=db;Username=keyhaven</c>.
    /// Fills in short timeouts when none are given, so that an unreachable database fails requests fast.
    /// </summary>
    /// <exception cref="FormatException">Neither form, or an unknown option (the message never holds the password).</exception>
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        var builder = IsUri(text) ? FromUri(text) : FromKeywords(text);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("The PostgreSQL location names no host.");
        }

        if (!text.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
            builder.CommandTimeout = 15;
        }

        return builder;
    }

    /// <summary>Whether <paramref name="text"/> is a <c>postgres://</c> or <c>postgresql://</c> URI.</summary>
    public static bool IsUri(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("The PostgreSQL URI is not of the form postgres://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            Set(builder, name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : name, value);
        }

        return builder;
    }

    private static NpgsqlConnectionStringBuilder FromKeywords(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException)
        {
            throw new FormatException("The PostgreSQL connection string is not valid (expected keywords such as Host=…;Username=…;Database=…).");
        }
    }

    private static void Set(NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        try
        {
            builder[name] = value;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException)
        {
            throw new FormatException($"The PostgreSQL URI option `{name}` is not one Npgsql knows or has an invalid value.");
        }
    }
}
