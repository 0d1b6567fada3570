using Keyhaven.Policy.Compilation;
using Keyhaven.Server.Network;
using Keyhaven.Server.Pipeline;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// The VPC endpoint policies a request went through, compiled for the policy engine: none on the public listener or
/// on an endpoint with full access (AWS's default policy), one on an endpoint with a policy. The policy is read from
/// <see cref="VpcEndpointPolicyStore"/> for every request (from its cache when warm), so a change made on any node is
/// in force for the next request. Fails closed: a stored policy that cannot be read, or a configured endpoint with no
/// stored record, denies everything. Thread-safe.
/// </summary>
internal sealed class VpcEndpointPolicies(NetworkState network, PolicyCompilation policies)
{
    /// <summary>What is enforced instead of an endpoint policy that cannot be read.</summary>
    public const string DenyAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}""";

    public async ValueTask<IReadOnlyList<CompiledPolicy>> ForAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        if (request.Origin.Endpoint is not { } endpoint)
        {
            return [];
        }

        var record = await network.Policies.GetAsync(endpoint.Id, cancellationToken);
        if (record is { Policy: null })
        {
            return [];
        }

        var compiled = record?.Policy is { } policy ? policies.Compile(policy, $"vpc-endpoint-policy:{endpoint.Id}") : null;
        return [compiled ?? policies.Compile(DenyAll, "unreadable-vpc-endpoint-policy")!];
    }
}
