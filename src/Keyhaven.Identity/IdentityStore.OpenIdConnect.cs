using System.Text.Json.Serialization;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Federation;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Storage.Backends;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    internal const string OidcProvidersTable = "iam_oidc_providers";

    /// <summary>AWS quotas: 100 client ids of 1-255 characters; 5 thumbprints of 40 hex digits; URL up to 255 characters.</summary>
    public const int MaxClientIds = 100, MaxThumbprints = 5, MaxProviderUrlLength = 255;

    /// <summary>CreateOpenIDConnectProvider: <paramref name="url"/> must be <c>https://HOST[/PATH]</c>, unique in the account.</summary>
    /// <exception cref="IdentityException"><c>ValidationError</c>, <c>InvalidInput</c>, <c>EntityAlreadyExists</c>.</exception>
    public async Task<OidcProvider> CreateOpenIdConnectProviderAsync(AccountId account, string url, IReadOnlyList<string> clientIds, IReadOnlyList<string> thumbprints,
        IReadOnlyList<KeyValuePair<string, string>> tags, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // spec: IAM API Reference, CreateOpenIDConnectProvider (Url 1-255, https only; ClientIDList; ThumbprintList 40 hex each, at most 5)
        var hostPath = ProviderHostPath(url);
        ValidateClientIds(clientIds);
        ValidateThumbprints(thumbprints);
        var document = new OidcProviderDocument
        {
            Account = account.Value, Url = hostPath, Arn = $"arn:aws:iam::{account}:oidc-provider/{hostPath}",
            ClientIds = clientIds.Distinct(StringComparer.Ordinal).ToList(), Thumbprints = thumbprints.Select(t => t.ToLowerInvariant()).Distinct().ToList(),
            CreateDate = now, Tags = ToTagDocuments(IdentityValidation.Tags(tags)),
        };
        await InsertAsync(ProviderKey(account.Value, hostPath), document, OidcJsonContext.Default.OidcProviderDocument,
            $"Provider with url https://{hostPath} already exists.", cancellationToken);
        return ToProvider(document);
    }

    /// <summary>The provider an ARN names.</summary>
    /// <exception cref="IdentityException"><c>InvalidInput</c> (not a provider ARN), <c>NoSuchEntity</c>.</exception>
    public async Task<OidcProvider> GetOpenIdConnectProviderAsync(string arn, CancellationToken cancellationToken)
    {
        var (account, hostPath) = ParseProviderArn(arn);
        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        var read = await ReadAsync(transaction, ProviderKey(account, hostPath), OidcJsonContext.Default.OidcProviderDocument, cancellationToken);
        return read is { } found ? ToProvider(found.Document) : throw NoSuchProvider(arn);
    }

    /// <summary>The provider an ARN names, or null when there is none (AssumeRoleWithWebIdentity: the token's issuer).</summary>
    public async Task<OidcProvider?> FindOpenIdConnectProviderAsync(AccountId account, string hostPath, CancellationToken cancellationToken)
    {
        await using var transaction = await _store.BeginAsync(write: false, cancellationToken);
        var read = await ReadAsync(transaction, ProviderKey(account.Value, hostPath), OidcJsonContext.Default.OidcProviderDocument, cancellationToken);
        return read is { } found ? ToProvider(found.Document) : null;
    }

    public async Task<IReadOnlyList<OidcProvider>> ListOpenIdConnectProvidersAsync(AccountId account, CancellationToken cancellationToken) =>
        (await ListAllAsync(OidcProvidersTable, account, OidcJsonContext.Default.OidcProviderDocument, cancellationToken)).Select(ToProvider).ToList();

    /// <summary>DeleteOpenIDConnectProvider. Sessions issued through it stay valid until they expire, as in AWS.</summary>
    public Task DeleteOpenIdConnectProviderAsync(string arn, CancellationToken cancellationToken)
    {
        var (account, hostPath) = ParseProviderArn(arn);
        return _store.WriteAsync(async transaction =>
        {
            var key = ProviderKey(account, hostPath);
            var read = await ReadAsync(transaction, key, OidcJsonContext.Default.OidcProviderDocument, cancellationToken) ?? throw NoSuchProvider(arn);
            await transaction.DeleteAsync(key, read.Version, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>AddClientIDToOpenIDConnectProvider, RemoveClientIDFromOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint.</summary>
    public Task UpdateOpenIdConnectProviderAsync(string arn, string? addClientId, string? removeClientId, IReadOnlyList<string>? thumbprints, CancellationToken cancellationToken)
    {
        var (account, hostPath) = ParseProviderArn(arn);
        if (addClientId is not null)
        {
            ValidateClientIds([addClientId]);
        }

        if (thumbprints is not null)
        {
            ValidateThumbprints(thumbprints);
        }

        return _store.WriteAsync(async transaction =>
        {
            var key = ProviderKey(account, hostPath);
            var (document, version) = await ReadAsync(transaction, key, OidcJsonContext.Default.OidcProviderDocument, cancellationToken) ?? throw NoSuchProvider(arn);
            if (addClientId is not null && !document.ClientIds.Contains(addClientId, StringComparer.Ordinal))
            {
                if (document.ClientIds.Count >= MaxClientIds)
                {
                    throw new IdentityException(IdentityErrorCode.LimitExceeded, $"A provider may have at most {MaxClientIds} client ids.");
                }

                document.ClientIds.Add(addClientId);
            }

            if (removeClientId is not null)
            {
                document.ClientIds.Remove(removeClientId); // AWS: removing a client id that is not there succeeds
            }

            if (thumbprints is not null)
            {
                document.Thumbprints = thumbprints.Select(t => t.ToLowerInvariant()).Distinct().ToList();
            }

            await PutAsync(transaction, key, version, document, OidcJsonContext.Default.OidcProviderDocument, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>The host and path of an issuer URL (<c>https://HOST[:PORT][/PATH]</c>), without a trailing slash.</summary>
    /// <exception cref="IdentityException"><c>ValidationError</c> or <c>InvalidInput</c>.</exception>
    public static string ProviderHostPath(string? url)
    {
        if (url is null || url.Length is < 1 or > MaxProviderUrlLength)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{url}` at `url` failed to satisfy constraint: Member must have length between 1 and {MaxProviderUrlLength}.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new IdentityException(IdentityErrorCode.InvalidInput, $"`{url}` is not a valid provider URL: it must be https://HOST[/PATH] without query or fragment.");
        }

        return (uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") + uri.AbsolutePath.TrimEnd('/');
    }

    private static (string Account, string HostPath) ParseProviderArn(string? arn)
    {
        const string Marker = ":oidc-provider/";
        var at = arn?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (arn is null || !arn.StartsWith("arn:aws:iam::", StringComparison.Ordinal) || at != "arn:aws:iam::".Length + 12
            || !AccountId.TryParse(arn.Substring("arn:aws:iam::".Length, 12), out _) || arn.Length == at + Marker.Length)
        {
            throw new IdentityException(IdentityErrorCode.InvalidInput, $"`{arn}` is not an OpenID Connect provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH).");
        }

        return (arn["arn:aws:iam::".Length..at], arn[(at + Marker.Length)..]);
    }

    private static void ValidateClientIds(IReadOnlyList<string> clientIds)
    {
        if (clientIds.Count > MaxClientIds || clientIds.Any(c => c.Length is < 1 or > 255))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"Client ids must be 1 to 255 characters, at most {MaxClientIds} of them.");
        }
    }

    private static void ValidateThumbprints(IReadOnlyList<string> thumbprints)
    {
        if (thumbprints.Count > MaxThumbprints || thumbprints.Any(t => t.Length != 40 || !t.All(char.IsAsciiHexDigit)))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError, $"Thumbprints must be 40 hexadecimal digits (SHA-1), at most {MaxThumbprints} of them.");
        }
    }

    private static StorageKey ProviderKey(string account, string hostPath) => new(OidcProvidersTable, account + "/" + hostPath.ToLowerInvariant());

    private static IdentityException NoSuchProvider(string arn) => new(IdentityErrorCode.NoSuchEntity, $"OpenIDConnect provider `{arn}` does not exist.");

    private static OidcProvider ToProvider(OidcProviderDocument d) =>
        new(d.Arn, d.Url, d.ClientIds, d.Thumbprints, d.CreateDate, d.Tags.Select(t => KeyValuePair.Create(t.Key, t.Value)).ToList());
}

internal sealed class OidcProviderDocument
{
    public string Account { get; set; } = "";
    public string Arn { get; set; } = "";
    public string Url { get; set; } = "";
    public List<string> ClientIds { get; set; } = [];
    public List<string> Thumbprints { get; set; } = [];
    public DateTimeOffset CreateDate { get; set; }
    public List<TagDocument> Tags { get; set; } = [];
}

[JsonSerializable(typeof(OidcProviderDocument))]
internal sealed partial class OidcJsonContext : JsonSerializerContext;
