using System.Text.RegularExpressions;
using Keyhaven.Policy.Validation;
using Keyhaven.Server.Network;

namespace Keyhaven.Server.Tests.Network;

/// <summary>docs/network.md stays true: its example configuration loads, and the policies of its worked example are valid.</summary>
public sealed partial class NetworkDocumentationTests
{
    private static string Page()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Keyhaven.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Keyhaven.slnx not found above the test directory.");
        }

        return File.ReadAllText(Path.Combine(root, "docs", "network.md"));
    }

    [Fact]
    public void The_example_configuration_loads_and_the_worked_examples_policies_are_valid()
    {
        var page = Page();
        var blocks = JsonBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        var configuration = NetworkConfiguration.Parse(blocks[0]);
        Assert.Equal(["vpce-0kms", "vpce-0batch"], configuration.VpcEndpoints.Select(e => e.Id));

        var endpointPolicy = PolicyDocumentArgument().Match(page).Groups[1].Value;
        Assert.DoesNotContain(PolicyValidator.Validate(endpointPolicy, PolicyType.Resource), f => f.Type == FindingType.Error);
        var networkTeam = blocks.Single(b => b.Contains("ec2:ModifyVpcEndpoint", StringComparison.Ordinal));
        Assert.DoesNotContain(PolicyValidator.Validate(networkTeam, PolicyType.Identity), f => f.Type == FindingType.Error);
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex("--policy-document '(.*?)'", RegexOptions.Singleline)]
    private static partial Regex PolicyDocumentArgument();
}
