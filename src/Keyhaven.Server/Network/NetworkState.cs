using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Network;

/// <summary>
/// The network in force: the current configuration (replaced on reload) and the endpoints' effective policies. Tells
/// where a request came from (which VPC endpoint's listener, if any) and whether a connection to an endpoint listener
/// comes from inside that endpoint's VPC. Thread-safe: readers see one configuration or the next, never a mix.
/// </summary>
internal sealed class NetworkState(NetworkConfiguration configuration, VpcEndpointPolicyStore policies, TimeProvider time, ILogger<NetworkState> logger)
{
    /// <summary>The connection item naming the endpoint a connection arrived on (set by the endpoint's listener).</summary>
    public const string EndpointItem = "keyhaven.vpc-endpoint";

    private volatile NetworkConfiguration _configuration = configuration;

    public NetworkConfiguration Configuration => _configuration;

    public VpcEndpointPolicyStore Policies => policies;

    /// <summary>Reconciles the stored endpoint policies with the configuration at start.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var changed = await policies.ApplyConfigurationAsync(_configuration, time.GetUtcNow(), cancellationToken);
        if (changed.Count > 0)
        {
            logger.LogInformation("VPC endpoint policies taken from the configuration: {Endpoints}", string.Join(", ", changed.Select(c => c.EndpointId)));
        }
    }

    /// <summary>
    /// Replaces the configuration (SIGHUP): endpoint policies changed in the file replace the stored ones, VPC ranges,
    /// workloads and group mappings take effect for the next request. Listeners cannot be added or moved without a
    /// restart: an endpoint added, removed or moved is refused and the old configuration stays.
    /// </summary>
    /// <exception cref="FormatException">The new configuration changes the listeners.</exception>
    public async Task<IReadOnlyList<VpcEndpointPolicyChange>> ReloadAsync(NetworkConfiguration next, CancellationToken cancellationToken)
    {
        var current = _configuration;
        var before = current.VpcEndpoints.Select(e => $"{e.Id}@{e.Listen}").Order(StringComparer.Ordinal);
        var after = next.VpcEndpoints.Select(e => $"{e.Id}@{e.Listen}").Order(StringComparer.Ordinal);
        if (!before.SequenceEqual(after) || current.InstanceMetadataService?.Listen.ToString() != next.InstanceMetadataService?.Listen.ToString())
        {
            throw new FormatException("The new configuration adds, removes or moves a listener (VPC endpoint or instance metadata); that needs a restart.");
        }

        var changed = await policies.ApplyConfigurationAsync(next, time.GetUtcNow(), cancellationToken);
        _configuration = next;
        return changed;
    }

    /// <summary>The configured endpoint <paramref name="endpointId"/> in a VPC of <paramref name="account"/>, or null.</summary>
    public NetworkConfiguration.VpcEndpoint? FindEndpoint(string endpointId, string account)
    {
        var configuration = _configuration;
        return configuration.VpcEndpoints.FirstOrDefault(e => e.Id == endpointId && configuration.FindVpc(e.VpcId)?.Account == account);
    }

    /// <summary>Where the request came from.</summary>
    public NetworkOrigin Resolve(HttpContext context)
    {
        var client = NetworkOrigin.Normalize(context.Connection.RemoteIpAddress);
        if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(EndpointItem, out var id) == true && id is string endpointId)
        {
            var configuration = _configuration;
            var endpoint = configuration.VpcEndpoints.First(e => e.Id == endpointId); // INVARIANT: listeners never change without a restart
            return new NetworkOrigin(client, endpoint, configuration.FindVpc(endpoint.VpcId));
        }

        return NetworkOrigin.Public(client);
    }

    /// <summary>
    /// False when <paramref name="context"/> arrived on a VPC endpoint's connection whose client is no longer inside the
    /// endpoint's VPC (a reload narrowed its ranges while the connection was kept alive). VPC ranges take effect for the
    /// next request, so the server refuses such a request as it now refuses such a connection; true for every other request.
    /// </summary>
    public bool StillAdmits(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(EndpointItem, out var id) != true || id is not string endpointId
        || Admits(endpointId, context.Connection.RemoteIpAddress);

    /// <summary>True when <paramref name="client"/> is inside the VPC of the endpoint: only then is the endpoint reachable.</summary>
    public bool Admits(string endpointId, IPAddress? client)
    {
        var configuration = _configuration;
        var endpoint = configuration.VpcEndpoints.FirstOrDefault(e => e.Id == endpointId);
        return endpoint is not null && client is not null && configuration.FindVpc(endpoint.VpcId)?.Contains(client) == true;
    }
}
