using Keyhaven.Kms.Errors;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>Limit and Marker members shared by the List operations.</summary>
internal static class Paging
{
    /// <summary>A List operation's <c>Limit</c>: 1 to <paramref name="max"/>, <paramref name="whenAbsent"/> when the request has none (each operation's default in the model).</summary>
    public static int Limit(int? limit, int max, int whenAbsent = 100)
    {
        if (limit is < 1 || limit > max)
        {
            throw new KmsException(KmsErrorCode.ValidationException,
                $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}");
        }

        return limit ?? whenAbsent;
    }

    public static string? Marker(string? marker)
    {
        if (marker is { Length: 0 or > 1024 })
        {
            throw new KmsException(KmsErrorCode.ValidationException,
                "1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length between 1 and 1024");
        }

        return marker;
    }
}
