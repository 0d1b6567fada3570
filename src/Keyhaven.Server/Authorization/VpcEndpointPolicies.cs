using Keyhaven.Policy.Compilation;
using Keyhaven.Server.Network;
using Keyhaven.Server.Pipeline;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// The VPC endpoint policies a request went through, compiled for the policy engine: none on the public listener or
/// on an endpoint with full access (AWS's default policy), one on an endpoint with a policy. Fails closed: a stored
/// policy that cannot be read denies everything. Thread-safe.
/// </summary>
internal sealed class VpcEndpointPolicies(NetworkState network, PolicyCompilation policies)
{
    private const string DenyAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}""";

    public IReadOnlyList<CompiledPolicy> For(AwsRequest request)
    {
        if (request.Origin.Endpoint is not { } endpoint || network.Policies.GetPolicy(endpoint.Id) is not { } policy)
        {
            return [];
        }

        return [policies.Compile(policy, $"vpc-endpoint-policy:{endpoint.Id}") ?? policies.Compile(DenyAll, "unreadable-vpc-endpoint-policy")!];
    }
}
