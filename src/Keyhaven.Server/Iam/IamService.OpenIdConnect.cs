using Keyhaven.Identity;
using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    private async Task CreateOpenIdConnectProviderAsync(Call c)
    {
        var provider = await Store.CreateOpenIdConnectProviderAsync(c.Account, c.Require("Url"), c.Query.GetList("ClientIDList"), c.Query.GetList("ThumbprintList"),
            c.Tags(), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created OpenID Connect provider {Arn}", c.Request.RequestId, provider.Arn);
        await c.WriteAsync(xml =>
        {
            xml.WriteElementString("OpenIDConnectProviderArn", provider.Arn);
            IamXml.WriteTags(xml, provider.Tags);
        });
    }

    private async Task GetOpenIdConnectProviderAsync(Call c)
    {
        var provider = await Store.GetOpenIdConnectProviderAsync(c.Require("OpenIDConnectProviderArn"), c.Cancellation);
        await c.WriteAsync(xml =>
        {
            xml.WriteElementString("Url", provider.Url);
            IamXml.WriteList(xml, "ClientIDList", provider.ClientIds, (x, id) => x.WriteElementString("member", id));
            IamXml.WriteList(xml, "ThumbprintList", provider.Thumbprints, (x, t) => x.WriteElementString("member", t));
            xml.WriteElementString("CreateDate", Protocol.AwsQueryProtocol.Timestamp(provider.CreateDate));
            IamXml.WriteTags(xml, provider.Tags);
        });
    }

    private async Task ListOpenIdConnectProvidersAsync(Call c)
    {
        var providers = await Store.ListOpenIdConnectProvidersAsync(c.Account, c.Cancellation);
        await c.WriteAsync(xml => IamXml.WriteList(xml, "OpenIDConnectProviderList", providers, (x, p) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("Arn", p.Arn);
            x.WriteEndElement();
        }));
    }

    /// <summary>The ARN a CreateOpenIDConnectProvider call would create, for its authorization (<c>*</c> when the URL is not valid: the call then fails on it).</summary>
    private static string ProviderArnFor(Keyhaven.Policy.Arns.AccountId account, string? url)
    {
        try
        {
            return $"arn:aws:iam::{account}:oidc-provider/{IdentityStore.ProviderHostPath(url)}";
        }
        catch (Keyhaven.Identity.Errors.IdentityException)
        {
            return "*";
        }
    }
}
