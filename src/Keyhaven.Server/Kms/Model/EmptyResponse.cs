namespace Keyhaven.Server.Kms.Model;

/// <summary>Operations that answer with an empty body (EnableKey, CreateAlias, …).</summary>
internal sealed record EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
