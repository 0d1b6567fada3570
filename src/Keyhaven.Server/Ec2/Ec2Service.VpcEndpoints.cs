using System.Globalization;
using System.Text;
using System.Xml;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Validation;
using Keyhaven.Server.Network;
using Keyhaven.Server.Pipeline;
using Keyhaven.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Ec2;

internal sealed partial class Ec2Service
{
    /// <summary>AWS's default endpoint policy (full access), which DescribeVpcEndpoints shows for an endpoint without one.</summary>
    public const string FullAccessPolicy = """{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}""";

    /// <summary>AWS: an endpoint policy is at most 20,480 characters, white space included.</summary>
    public const int MaxPolicyLength = 20_480;

    private static readonly string[] Filters = ["vpc-endpoint-id", "vpc-id", "service-name", "vpc-endpoint-state", "vpc-endpoint-type"];

    /// <summary>
    /// ModifyVpcEndpoint: sets (<c>PolicyDocument</c>) or resets to full access (<c>ResetPolicy</c>) the endpoint's
    /// policy, in the store, so that every node enforces it from its next request; it stays in force across restarts
    /// until the configuration file's policy for the endpoint changes (see docs/network.md).
    /// </summary>
    private async Task ModifyVpcEndpointAsync(AwsRequest request, QueryRequest query)
    {
        // spec: EC2 API Reference, ModifyVpcEndpoint
        OnlyParameters(query, "VpcEndpointId", "PolicyDocument", "ResetPolicy", "DryRun");
        var endpointId = EndpointId(query.Get("VpcEndpointId") ?? throw Ec2Exception.MissingParameter("VpcEndpointId"));
        var document = query.Get("PolicyDocument");
        var reset = Ec2Protocol.GetBool(query.Parameters, "ResetPolicy") == true;
        if (document is not null && reset)
        {
            throw new Ec2Exception(400, "InvalidParameterCombination", "`PolicyDocument` and `ResetPolicy` cannot be used together.");
        }

        if (document is not null)
        {
            ValidatePolicy(document);
        }

        var account = request.Caller.Account.Value;
        var arn = VpcEndpointArn.Create(request.Region, account, endpointId);
        var endpoint = network.FindEndpoint(endpointId, account);
        var conditions = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase) { ["ec2:Region"] = new(request.Region) };
        if (endpoint is not null)
        {
            conditions["ec2:VpceServiceName"] = new(ServiceName(request.Region, endpoint.Service));
        }

        // As EC2: permission first, so that a caller without it learns nothing about which endpoints exist.
        await AuthorizeAsync(request, "ec2:ModifyVpcEndpoint", arn, conditions);
        StopIfDryRun(query);
        if (endpoint is null)
        {
            throw NotFound(endpointId);
        }

        if (document is not null || reset)
        {
            var change = await network.Policies.SetAsync(endpointId, reset ? null : document, request.Caller.Arn, options.Time.GetUtcNow(), request.Http.RequestAborted);
            logger.LogInformation("Request {RequestId}: {Caller} set the policy of VPC endpoint {Endpoint} ({What})", request.RequestId, request.Caller.Arn, endpointId,
                change.After is null ? "full access" : "a policy document");
        }

        await Ec2Protocol.WriteResultAsync(request.Http, query.Action, request.RequestId, xml => xml.WriteElementString("return", "true"));
    }

    /// <summary>DescribeVpcEndpoints: the caller's account's endpoints, by id and filters, with their effective policies.</summary>
    private async Task DescribeVpcEndpointsAsync(AwsRequest request, QueryRequest query)
    {
        // spec: EC2 API Reference, DescribeVpcEndpoints
        OnlyParameters(query, "VpcEndpointId", "Filter", "MaxResults", "NextToken", "DryRun");
        var ids = Ec2Protocol.GetList(query.Parameters, "VpcEndpointId").Select(EndpointId).ToList();
        var filters = ParseFilters(query);
        var maxResults = query.Get("MaxResults") is { } max
            ? int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1 ? Math.Min(parsed, 1000)
                : throw Ec2Exception.InvalidParameterValue($"Value `{max}` for parameter `MaxResults` is invalid: expected an integer from 1 to 1000.")
            : int.MaxValue;
        var after = query.Get("NextToken") is { } token ? DecodeToken(token) : null;

        await AuthorizeAsync(request, "ec2:DescribeVpcEndpoints", "*");
        StopIfDryRun(query);

        var account = request.Caller.Account.Value;
        var configuration = network.Configuration;
        var owned = configuration.VpcEndpoints.Where(e => configuration.FindVpc(e.VpcId)?.Account == account).ToList();
        if (ids.FirstOrDefault(id => owned.All(e => e.Id != id)) is { } missing)
        {
            throw NotFound(missing);
        }

        var selected = owned
            .Where(e => ids.Count == 0 || ids.Contains(e.Id, StringComparer.Ordinal))
            .Where(e => filters.All(f => f.Values.Contains(FilterValue(f.Name, e, request.Region), StringComparer.Ordinal)))
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .Where(e => after is null || string.CompareOrdinal(e.Id, after) > 0)
            .ToList();
        var page = selected.Take(maxResults).ToList();
        var policiesOfPage = new List<string>(page.Count);
        foreach (var endpoint in page)
        {
            var record = await network.Policies.GetAsync(endpoint.Id, request.Http.RequestAborted);
            // INVARIANT: every configured endpoint has a record (written at start); without one, requests through it are denied.
            policiesOfPage.Add(record is null ? Keyhaven.Server.Authorization.VpcEndpointPolicies.DenyAll : record.Policy ?? FullAccessPolicy);
        }

        await Ec2Protocol.WriteResultAsync(request.Http, query.Action, request.RequestId, xml =>
        {
            xml.WriteStartElement("vpcEndpointSet");
            for (var i = 0; i < page.Count; i++)
            {
                WriteEndpoint(xml, page[i], policiesOfPage[i], configuration.FindVpc(page[i].VpcId)!.Account, request.Region);
            }

            xml.WriteEndElement();
            if (selected.Count > page.Count)
            {
                xml.WriteElementString("nextToken", EncodeToken(page[^1].Id));
            }
        });
    }

    private static void WriteEndpoint(XmlWriter xml, NetworkConfiguration.VpcEndpoint endpoint, string policy, string owner, string region)
    {
        xml.WriteStartElement("item");
        xml.WriteElementString("vpcEndpointId", endpoint.Id);
        xml.WriteElementString("vpcEndpointType", "Interface");
        xml.WriteElementString("vpcId", endpoint.VpcId);
        xml.WriteElementString("serviceName", ServiceName(region, endpoint.Service));
        xml.WriteElementString("state", "available");
        xml.WriteElementString("policyDocument", policy);
        xml.WriteElementString("routeTableIdSet", "");
        xml.WriteElementString("subnetIdSet", "");
        xml.WriteElementString("groupSet", "");
        xml.WriteElementString("ipAddressType", "ipv4");
        xml.WriteElementString("privateDnsEnabled", "false");
        xml.WriteElementString("requesterManaged", "false");
        xml.WriteElementString("networkInterfaceIdSet", "");
        xml.WriteElementString("dnsEntrySet", "");
        xml.WriteElementString("ownerId", owner);
        xml.WriteElementString("tagSet", "");
        xml.WriteEndElement();
    }

    private static string ServiceName(string region, string service) => $"com.amazonaws.{region}.{service}";

    private static string FilterValue(string filter, NetworkConfiguration.VpcEndpoint endpoint, string region) => filter switch
    {
        "vpc-endpoint-id" => endpoint.Id,
        "vpc-id" => endpoint.VpcId,
        "service-name" => ServiceName(region, endpoint.Service),
        "vpc-endpoint-state" => "available",
        _ => "Interface", // vpc-endpoint-type
    };

    /// <summary><c>Filter.N.Name</c> and <c>Filter.N.Value.M</c>; a filter this operation does not know is <c>InvalidParameterValue</c>.</summary>
    private static List<(string Name, IReadOnlyList<string> Values)> ParseFilters(QueryRequest query)
    {
        var filters = new List<(string, IReadOnlyList<string>)>();
        for (var i = 1; query.Get($"Filter.{i}.Name") is { } name; i++)
        {
            if (!Filters.Contains(name, StringComparer.Ordinal))
            {
                throw Ec2Exception.InvalidParameterValue($"The filter `{name}` is invalid; DescribeVpcEndpoints takes {string.Join(", ", Filters)}.");
            }

            filters.Add((name, Ec2Protocol.GetList(query.Parameters, $"Filter.{i}.Value")));
        }

        return filters;
    }

    private static string EndpointId(string text) =>
        text.StartsWith("vpce-", StringComparison.Ordinal) && text.Length is > 5 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? text
            : throw new Ec2Exception(400, "InvalidVpcEndpointId.Malformed", $"Invalid id: `{text}` (expecting `vpce-...`).");

    private static Ec2Exception NotFound(string id) => new(400, "InvalidVpcEndpointId.NotFound", $"The VPC endpoint ID `{id}` does not exist.");

    /// <summary>Refuses a policy the engine could not enforce: not a valid resource policy (endpoint policies name principals), or too long.</summary>
    private void ValidatePolicy(string document)
    {
        if (document.Length > MaxPolicyLength)
        {
            throw new Ec2Exception(400, "InvalidPolicyDocument", $"The Policy Document is not valid: it has {document.Length} characters; the limit is {MaxPolicyLength}.");
        }

        var error = PolicyValidator.Validate(document, PolicyType.Resource).FirstOrDefault(f => f.Type == FindingType.Error && f.IssueCode != "POLICY_SIZE_EXCEEDED");
        if (error is not null)
        {
            throw new Ec2Exception(400, "InvalidPolicyDocument", $"The Policy Document is not valid: {error.Message} (at `{error.Path}`).");
        }

        if (!policies.TryCompile(document, "vpc-endpoint-policy", out var errors))
        {
            throw new Ec2Exception(400, "InvalidPolicyDocument", $"The Policy Document is not valid: {string.Join(" ", errors.Select(e => e.Message))}");
        }
    }

    private static string EncodeToken(string lastId) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastId));

    private static string DecodeToken(string token)
    {
        try
        {
            return EndpointId(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
        }
        catch (Exception exception) when (exception is FormatException or Ec2Exception)
        {
            throw new Ec2Exception(400, "InvalidNextToken", $"The token `{token}` is not a token DescribeVpcEndpoints returned.");
        }
    }
}
