using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Policies;
using Microsoft.Extensions.Logging;
using static Keyhaven.Server.Sts.QueryServiceErrors;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    private static async Task Empty(Call c, Task operation)
    {
        await operation;
        await c.WriteEmptyAsync();
    }

    private async Task CreatePolicyAsync(Call c)
    {
        var policy = await Store.CreatePolicyAsync(c.Account, c.Require("PolicyName"), c.Query.Get("Path"), c.Require("PolicyDocument"),
            c.Query.Get("Description"), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created managed policy {Arn}", c.Request.RequestId, policy.Arn);
        await c.WriteAsync(xml => IamXml.WritePolicy(xml, policy));
    }

    private async Task GetPolicyAsync(Call c)
    {
        var policy = await Store.GetPolicyAsync(c.Account, c.Require("PolicyArn"), c.Cancellation);
        await c.WriteAsync(xml => IamXml.WritePolicy(xml, policy));
    }

    private async Task ListPoliciesAsync(Call c)
    {
        var scope = c.Query.Get("Scope") ?? "All";
        if (scope is not ("All" or "AWS" or "Local"))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{scope}` at `scope` failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
        }

        var onlyAttached = GetBool(c, "OnlyAttached");
        // AWS managed policies are not served: Scope AWS lists nothing.
        var policies = scope == "AWS" ? [] : await Store.ListPoliciesAsync(c.Account, c.Query.Get("PathPrefix"), onlyAttached, c.Cancellation);
        var (page, next) = Page(c, policies);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Policies", page, (x, policy) => IamXml.WritePolicy(x, policy, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private async Task CreatePolicyVersionAsync(Call c)
    {
        var version = await Store.CreatePolicyVersionAsync(c.Account, c.Require("PolicyArn"), c.Require("PolicyDocument"), GetBool(c, "SetAsDefault"), c.Now, c.Cancellation);
        await c.WriteAsync(xml => IamXml.WritePolicyVersion(xml, version, includeDocument: false));
    }

    private async Task GetPolicyVersionAsync(Call c)
    {
        var version = await Store.GetPolicyVersionAsync(c.Account, c.Require("PolicyArn"), c.Require("VersionId"), c.Cancellation);
        await c.WriteAsync(xml => IamXml.WritePolicyVersion(xml, version, includeDocument: true));
    }

    private async Task ListPolicyVersionsAsync(Call c)
    {
        var versions = await Store.ListPolicyVersionsAsync(c.Account, c.Require("PolicyArn"), c.Cancellation);
        var (page, next) = Page(c, versions);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Versions", page, (x, version) => IamXml.WritePolicyVersion(x, version, includeDocument: false, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private static async Task WriteAttachedAsync(Call c, IReadOnlyList<AttachedPolicy> attached)
    {
        var prefix = c.Query.Get("PathPrefix");
        var filtered = prefix is null ? attached : attached.Where(p => PathOf(p.PolicyArn).StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var (page, next) = Page(c, filtered);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "AttachedPolicies", page, (x, policy) =>
            {
                x.WriteStartElement("member");
                x.WriteElementString("PolicyName", policy.PolicyName);
                x.WriteElementString("PolicyArn", policy.PolicyArn);
                x.WriteEndElement();
            });
            IamXml.WritePaging(xml, next);
        });
    }

    /// <summary>The path of a policy ARN (<c>arn:aws:iam::ACCT:policy/PATH/NAME</c> → <c>/PATH/</c>).</summary>
    private static string PathOf(string policyArn)
    {
        var resource = policyArn[(policyArn.IndexOf(":policy/", StringComparison.Ordinal) + ":policy".Length)..];
        return resource[..(resource.LastIndexOf('/') + 1)];
    }

    private static bool GetBool(Call c, string name) => c.Query.Get(name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new IdentityException(IdentityErrorCode.ValidationError, $"`{name}` must be `true` or `false`, not `{other}`."),
    };
}
