using System.Net;

namespace Keyhaven.Server.Network;

/// <summary>
/// Where a request came from: the client's address and, when it arrived on a VPC endpoint's listener, that endpoint
/// and its VPC. Requests on the public listener have <see cref="Endpoint"/> null. Immutable.
/// </summary>
internal sealed record NetworkOrigin(IPAddress ClientAddress, NetworkConfiguration.VpcEndpoint? Endpoint, NetworkConfiguration.Vpc? Vpc)
{
    public static NetworkOrigin Public(IPAddress? client) => new(Normalize(client), null, null);

    /// <summary>The client address as policies see it (IPv4-mapped IPv6 addresses as IPv4).</summary>
    public string ClientAddressText => ClientAddress.ToString();

    public static IPAddress Normalize(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
