using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Keyhaven.Server.Network;

/// <summary>
/// The network a Keyhaven server simulates, read from the JSON file given to <c>keyhaven serve --config</c>: VPCs,
/// VPC endpoints (each an extra listener with its own endpoint policy), the instance-metadata listener with its
/// workloads, and the group-to-role mappings of federated identities. See docs/network.md. Immutable.
/// </summary>
public sealed partial record NetworkConfiguration
{
    public IReadOnlyList<Vpc> Vpcs { get; init; } = [];
    public IReadOnlyList<VpcEndpoint> VpcEndpoints { get; init; } = [];
    public InstanceMetadata? InstanceMetadataService { get; init; }
    public IReadOnlyList<GroupRole> GroupRoles { get; init; } = [];

    /// <summary>A VPC: its id (<c>vpc-…</c>), owning account and address ranges.</summary>
    public sealed record Vpc(string Id, string Account, IReadOnlyList<IPNetwork> Cidrs)
    {
        public bool Contains(IPAddress address)
        {
            var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            return Cidrs.Any(c => c.Contains(normalized));
        }

        public string Arn(string region) => $"arn:aws:ec2:{region}:{Account}:vpc/{Id}";
    }

    /// <summary>A VPC endpoint (<c>vpce-…</c>) of one service, served on its own listener; <see cref="Policy"/> null means full access.</summary>
    public sealed record VpcEndpoint(string Id, string VpcId, string Service, IPEndPoint Listen, string? Policy);

    /// <summary>The IMDSv2-compatible listener and the workloads it recognizes by their address.</summary>
    public sealed record InstanceMetadata(IPEndPoint Listen, IReadOnlyList<Workload> Workloads);

    /// <summary>A workload (instance) with the role whose credentials it receives.</summary>
    public sealed record Workload(string InstanceId, string RoleArn, string VpcId, IPAddress PrivateIp)
    {
        /// <summary>The account of <see cref="RoleArn"/> (checked to be a role ARN when the configuration is read).</summary>
        public string RoleAccount => RoleArn.Split(':')[4];

        /// <summary>
        /// The instance's ARN in <paramref name="region"/> (<c>ec2:SourceInstanceARN</c>): in the role's account, as an
        /// instance profile's role belongs to the instance's account.
        /// </summary>
        public string InstanceArn(string region) => $"arn:aws:ec2:{region}:{RoleAccount}:instance/{InstanceId}";
    }

    /// <summary>Members of <see cref="Group"/> (the token's <c>groups</c> claim) of OIDC provider <see cref="Provider"/> may assume <see cref="RoleArn"/>.</summary>
    public sealed record GroupRole(string Provider, string Group, string RoleArn);

    public Vpc? FindVpc(string id) => Vpcs.FirstOrDefault(v => v.Id == id);

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="FormatException">The file is not a valid configuration; the message names the member.</exception>
    public static NetworkConfiguration Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException exception)
        {
            throw new FormatException($"The configuration file `{path}` cannot be read: {exception.Message}");
        }

        return Parse(text);
    }

    /// <summary>Parses a configuration document.</summary>
    /// <exception cref="FormatException">Not a valid configuration; the message names the member.</exception>
    public static NetworkConfiguration Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new FormatException("The configuration must be a JSON object.");
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The configuration is not valid JSON: {exception.Message}");
        }

        Known(root, "configuration", "vpcs", "vpcEndpoints", "instanceMetadata", "federation");
        var vpcs = Array(root, "vpcs").Select((node, i) => ParseVpc(Object(node, $"vpcs[{i}]"), $"vpcs[{i}]")).ToList();
        Unique(vpcs.Select(v => v.Id), "vpcs", "VPC id");
        var endpoints = Array(root, "vpcEndpoints").Select((node, i) => ParseEndpoint(Object(node, $"vpcEndpoints[{i}]"), $"vpcEndpoints[{i}]", vpcs)).ToList();
        Unique(endpoints.Select(e => e.Id), "vpcEndpoints", "endpoint id");
        Unique(endpoints.Select(e => e.Listen.ToString()).Where(l => !l.EndsWith(":0", StringComparison.Ordinal)), "vpcEndpoints", "listen address");

        InstanceMetadata? metadata = null;
        if (root["instanceMetadata"] is { } metadataNode)
        {
            var o = Object(metadataNode, "instanceMetadata");
            Known(o, "instanceMetadata", "listen", "workloads");
            var workloads = Array(o, "workloads").Select((node, i) => ParseWorkload(Object(node, $"instanceMetadata.workloads[{i}]"), $"instanceMetadata.workloads[{i}]", vpcs)).ToList();
            Unique(workloads.Select(w => w.InstanceId), "instanceMetadata.workloads", "instance id");
            Unique(workloads.Select(w => w.PrivateIp.ToString()), "instanceMetadata.workloads", "private IP");
            metadata = new InstanceMetadata(Listen(String(o, "listen", "instanceMetadata")!, "instanceMetadata.listen"), workloads);
        }

        var groupRoles = new List<GroupRole>();
        if (root["federation"] is { } federationNode)
        {
            var o = Object(federationNode, "federation");
            Known(o, "federation", "groupRoles");
            groupRoles.AddRange(Array(o, "groupRoles").Select((node, i) =>
            {
                var where = $"federation.groupRoles[{i}]";
                var m = Object(node, where);
                Known(m, where, "provider", "group", "role");
                var provider = String(m, "provider", where)!;
                if (!OidcProviderArn().IsMatch(provider))
                {
                    throw new FormatException($"{where}.provider `{provider}` is not an OIDC provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH).");
                }

                return new GroupRole(provider, String(m, "group", where)!, RoleArn(String(m, "role", where)!, $"{where}.role"));
            }));
        }

        return new NetworkConfiguration { Vpcs = vpcs, VpcEndpoints = endpoints, InstanceMetadataService = metadata, GroupRoles = groupRoles };
    }

    private static Vpc ParseVpc(JsonObject o, string where)
    {
        Known(o, where, "id", "account", "cidrs");
        var id = Id(String(o, "id", where)!, "vpc-", $"{where}.id");
        var account = String(o, "account", where)!;
        if (!AccountPattern().IsMatch(account))
        {
            throw new FormatException($"{where}.account `{account}` is not a 12-digit account id.");
        }

        var cidrs = Array(o, "cidrs").Select((node, i) =>
        {
            var text = node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new FormatException($"{where}.cidrs[{i}] must be a string.");
            return IPNetwork.TryParse(text, out var network) ? network : throw new FormatException($"{where}.cidrs[{i}] `{text}` is not a CIDR block such as 127.0.0.0/24.");
        }).ToList();
        if (cidrs.Count == 0)
        {
            throw new FormatException($"{where}.cidrs must name at least one CIDR block.");
        }

        return new Vpc(id, account, cidrs);
    }

    private static VpcEndpoint ParseEndpoint(JsonObject o, string where, List<Vpc> vpcs)
    {
        Known(o, where, "id", "vpc", "service", "listen", "policy");
        var id = Id(String(o, "id", where)!, "vpce-", $"{where}.id");
        var vpc = String(o, "vpc", where)!;
        if (vpcs.All(v => v.Id != vpc))
        {
            throw new FormatException($"{where}.vpc `{vpc}` is not one of the configured VPCs.");
        }

        var service = String(o, "service", where, required: false) ?? "kms";
        if (service is not ("kms" or "sts" or "iam" or "organizations" or "ec2"))
        {
            throw new FormatException($"{where}.service `{service}` must be one of kms, sts, iam, organizations, ec2.");
        }

        string? policy = o["policy"] switch
        {
            null => null,
            JsonObject document => document.ToJsonString(),
            _ => throw new FormatException($"{where}.policy must be a policy document (a JSON object) or null."),
        };
        return new VpcEndpoint(id, vpc, service, Listen(String(o, "listen", where)!, $"{where}.listen"), policy);
    }

    private static Workload ParseWorkload(JsonObject o, string where, List<Vpc> vpcs)
    {
        Known(o, where, "instanceId", "role", "vpc", "privateIp");
        var instanceId = Id(String(o, "instanceId", where)!, "i-", $"{where}.instanceId");
        var vpcId = String(o, "vpc", where)!;
        var vpc = vpcs.FirstOrDefault(v => v.Id == vpcId) ?? throw new FormatException($"{where}.vpc `{vpcId}` is not one of the configured VPCs.");
        var ipText = String(o, "privateIp", where)!;
        if (!IPAddress.TryParse(ipText, out var ip))
        {
            throw new FormatException($"{where}.privateIp `{ipText}` is not an IP address.");
        }

        if (!vpc.Contains(ip))
        {
            throw new FormatException($"{where}.privateIp `{ipText}` is not inside the CIDR blocks of `{vpcId}`.");
        }

        return new Workload(instanceId, RoleArn(String(o, "role", where)!, $"{where}.role"), vpcId, ip);
    }

    private static string RoleArn(string text, string where) =>
        RoleArnPattern().IsMatch(text) ? text : throw new FormatException($"{where} `{text}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME).");

    private static string Id(string text, string prefix, string where) =>
        text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length && text.Length <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? text
            : throw new FormatException($"{where} `{text}` must look like `{prefix}0123abcd` (letters, digits and dashes).");

    private static IPEndPoint Listen(string text, string where) =>
        IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw new FormatException($"{where} `{text}` is not an address and port such as 127.0.0.2:4599.");

    private static void Known(JsonObject o, string where, params string[] names)
    {
        foreach (var (name, _) in o)
        {
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                throw new FormatException($"{where} has an unknown member `{name}`; known: {string.Join(", ", names)}.");
            }
        }
    }

    private static void Unique(IEnumerable<string> values, string where, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (!seen.Add(value))
            {
                throw new FormatException($"{where} names {what} `{value}` twice.");
            }
        }
    }

    private static JsonObject Object(JsonNode? node, string where) =>
        node as JsonObject ?? throw new FormatException($"{where} must be a JSON object.");

    private static IEnumerable<JsonNode?> Array(JsonObject o, string name) => o[name] switch
    {
        null => [],
        JsonArray array => array,
        _ => throw new FormatException($"`{name}` must be a JSON array."),
    };

    private static string? String(JsonObject o, string name, string where, bool required = true)
    {
        var node = o[name];
        if (node is null)
        {
            return required ? throw new FormatException($"{where}.{name} is required.") : null;
        }

        return node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } text
            ? text
            : throw new FormatException($"{where}.{name} must be a non-empty string.");
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:oidc-provider/[^\\s]{1,255}$")]
    private static partial Regex OidcProviderArn();
}
