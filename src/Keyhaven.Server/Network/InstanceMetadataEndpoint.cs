using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Keyhaven.Audit.Trail;
using Keyhaven.Identity;
using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Sessions;
using Keyhaven.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Network;

/// <summary>
/// An IMDSv2-compatible instance-metadata service on its own listener: <c>PUT /latest/api/token</c> (TTL 1–21,600 s)
/// gives a session token, and GETs with that token read the instance id and the role credentials of the workload the
/// connection comes from (recognized by its address). Credentials are a role session the server issues when the role
/// trusts <c>ec2.amazonaws.com</c>, renewed when less than <see cref="RenewBefore"/> remains. Thread-safe.
/// </summary>
internal sealed class InstanceMetadataEndpoint(NetworkState network, IdentityStore identity, AuditTrail trail, KeyhavenServerOptions options, TimeProvider time,
    ILogger<InstanceMetadataEndpoint> logger)
{
    /// <summary>The connection item marking connections to the metadata listener.</summary>
    public const string ListenerItem = "keyhaven.instance-metadata";

    /// <summary>New credentials are handed out when the current ones have less than this left (AWS: at least 5 minutes before expiry).</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(15);

    private const int MaxTtlSeconds = 21_600;
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, IPAddress Client)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _tokenTable = new();

    // Keyed by the whole workload (instance, role, VPC, address): after a reload changes any of them, the credentials
    // issued for the old one are never handed out again.
    private readonly ConcurrentDictionary<NetworkConfiguration.Workload, AssumedRole> _credentials = new();
    private readonly SemaphoreSlim _issue = new(1, 1);

    public async Task HandleAsync(HttpContext context)
    {
        var client = NetworkOrigin.Normalize(context.Connection.RemoteIpAddress);
        var now = time.GetUtcNow();
        var workload = network.Configuration.InstanceMetadataService?.Workloads.FirstOrDefault(w => w.PrivateIp.Equals(client));
        if (workload is null)
        {
            await TextAsync(context, 403, "Forbidden: this address is not a registered workload.");
            return;
        }

        var path = context.Request.Path.Value ?? "/";
        if (path == "/latest/api/token")
        {
            await IssueTokenAsync(context, client, now);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await TextAsync(context, 405, "Method Not Allowed");
            return;
        }

        // spec: IMDSv2 — every GET carries a token from PUT /latest/api/token, valid for the address that asked for it.
        var token = context.Request.Headers["X-aws-ec2-metadata-token"].ToString();
        if (token.Length == 0 || !_tokens.TryGetValue(token, out var issued) || issued.Expires <= now || !issued.Client.Equals(client))
        {
            await TextAsync(context, 401, "Unauthorized");
            return;
        }

        var roleName = workload.RoleArn[(workload.RoleArn.LastIndexOf('/') + 1)..];
        switch (path)
        {
            case "/latest/meta-data/instance-id":
                await TextAsync(context, 200, workload.InstanceId);
                return;
            case "/latest/meta-data/iam/security-credentials" or CredentialsPath:
                await TextAsync(context, 200, roleName);
                return;
            case "/latest/meta-data/iam/info":
            {
                var account = workload.RoleAccount;
                await JsonAsync(context, new Dictionary<string, string>
                {
                    ["Code"] = "Success", ["LastUpdated"] = Timestamp(now),
                    ["InstanceProfileArn"] = $"arn:aws:iam::{account}:instance-profile/{roleName}",
                    ["InstanceProfileId"] = "AIPA" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(workload.RoleArn)))[..17],
                });
                return;
            }
        }

        if (path.StartsWith(CredentialsPath, StringComparison.Ordinal) && path[CredentialsPath.Length..] == roleName)
        {
            AssumedRole session;
            try
            {
                session = await CredentialsAsync(workload, now, context.RequestAborted);
            }
            catch (IdentityException exception)
            {
                logger.LogWarning("Instance metadata: no credentials for {InstanceId}: {Message}", workload.InstanceId, exception.Message);
                await TextAsync(context, 404, "Not Found");
                return;
            }
            catch (AuditWriteException exception)
            {
                // Fail closed: credentials whose issue cannot be recorded are not handed out.
                logger.LogError(exception, "Instance metadata: credentials for {InstanceId} withheld: the audit trail cannot write", workload.InstanceId);
                await TextAsync(context, 500, "Internal Server Error");
                return;
            }

            await JsonAsync(context, new Dictionary<string, string>
            {
                ["Code"] = "Success", ["LastUpdated"] = Timestamp(now), ["Type"] = "AWS-HMAC",
                ["AccessKeyId"] = session.Credentials.AccessKeyId, ["SecretAccessKey"] = session.Credentials.SecretAccessKey,
                ["Token"] = session.Credentials.SessionToken, ["Expiration"] = Timestamp(session.Credentials.Expiration),
            });
            return;
        }

        await TextAsync(context, 404, "Not Found");
    }

    private async Task IssueTokenAsync(HttpContext context, IPAddress client, DateTimeOffset now)
    {
        if (!HttpMethods.IsPut(context.Request.Method))
        {
            await TextAsync(context, 405, "Method Not Allowed");
            return;
        }

        // AWS refuses token requests that went through a proxy (X-Forwarded-For), so a token cannot leave the instance.
        if (context.Request.Headers.ContainsKey("X-Forwarded-For"))
        {
            await TextAsync(context, 403, "Forbidden");
            return;
        }

        if (!int.TryParse(context.Request.Headers["X-aws-ec2-metadata-token-ttl-seconds"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ttl)
            || ttl is < 1 or > MaxTtlSeconds)
        {
            await TextAsync(context, 400, $"Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be 1 to {MaxTtlSeconds}.");
            return;
        }

        string? token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        lock (_tokenTable)
        {
            if (_tokens.Count >= options.InstanceMetadataMaxTokens)
            {
                foreach (var (stale, _) in _tokens.Where(t => t.Value.Expires <= now))
                {
                    _tokens.TryRemove(stale, out _);
                }
            }

            // Still full of live tokens: refused, so the table stays bounded (AWS does not document what its IMDS
            // answers when overloaded; 503 tells an SDK to try again later).
            if (_tokens.Count >= options.InstanceMetadataMaxTokens)
            {
                logger.LogWarning("Instance metadata: token table full ({Count} live tokens); token request from {Address} refused", _tokens.Count, client);
                token = null;
            }
            else
            {
                _tokens[token] = (now.AddSeconds(ttl), client);
            }
        }

        if (token is null)
        {
            await TextAsync(context, 503, "Service Unavailable");
            return;
        }

        context.Response.Headers["X-aws-ec2-metadata-token-ttl-seconds"] = ttl.ToString(CultureInfo.InvariantCulture);
        await TextAsync(context, 200, token);
    }

    /// <summary>The workload's current credentials, issuing new ones when there are none or they expire within <see cref="RenewBefore"/>.</summary>
    private async Task<AssumedRole> CredentialsAsync(NetworkConfiguration.Workload workload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_credentials.TryGetValue(workload, out var current) && current.Credentials.Expiration - now > RenewBefore)
        {
            return current;
        }

        await _issue.WaitAsync(cancellationToken);
        try
        {
            if (_credentials.TryGetValue(workload, out current) && current.Credentials.Expiration - now > RenewBefore)
            {
                return current;
            }

            var issued = await identity.AssumeRoleForWorkloadAsync(workload.RoleArn, workload.InstanceId, workload.InstanceArn(options.Region), workload.VpcId, workload.PrivateIp.ToString(), now, cancellationToken);
            // Recorded before anyone can use them, as every other issue of credentials is.
            await trail.AppendAsync(InstanceCredentialAudit.Create(now, options.Region, workload, issued));
            _credentials[workload] = issued;
            foreach (var replaced in _credentials.Keys.Where(k => k.InstanceId == workload.InstanceId && k != workload))
            {
                _credentials.TryRemove(replaced, out _); // the instance's role, VPC or address changed on a reload
            }

            logger.LogInformation("Instance metadata: issued {Session} ({AccessKeyId}) to {InstanceId} at {Address}",
                issued.Arn, issued.Credentials.AccessKeyId, workload.InstanceId, workload.PrivateIp);
            return issued;
        }
        finally
        {
            _issue.Release();
        }
    }

    private static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task TextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(text);
    }

    private static Task JsonAsync(HttpContext context, Dictionary<string, string> body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, InstanceMetadataJsonContext.Default.DictionaryStringString));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class InstanceMetadataJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
