using System.Xml;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    private Task TagUserAsync(Call c) => Empty(c, Store.TagUserAsync(c.Account, c.Require("UserName"), c.Tags(), c.Cancellation));

    private Task UntagUserAsync(Call c) => Empty(c, Store.UntagUserAsync(c.Account, c.Require("UserName"), c.Query.GetList("TagKeys"), c.Cancellation));

    private async Task ListUserTagsAsync(Call c) => await WriteTagsAsync(c, await Store.ListUserTagsAsync(c.Account, c.Require("UserName"), c.Cancellation));

    private Task TagRoleAsync(Call c) => Empty(c, Store.TagRoleAsync(c.Account, c.Require("RoleName"), c.Tags(), c.Cancellation));

    private Task UntagRoleAsync(Call c) => Empty(c, Store.UntagRoleAsync(c.Account, c.Require("RoleName"), c.Query.GetList("TagKeys"), c.Cancellation));

    private async Task ListRoleTagsAsync(Call c) => await WriteTagsAsync(c, await Store.ListRoleTagsAsync(c.Account, c.Require("RoleName"), c.Cancellation));

    private static async Task WriteTagsAsync(Call c, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var (page, next) = Page(c, tags);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Tags", page, WriteTag);
            IamXml.WritePaging(xml, next);
        });
    }

    private static void WriteTag(XmlWriter xml, KeyValuePair<string, string> tag)
    {
        xml.WriteStartElement("member");
        xml.WriteElementString("Key", tag.Key);
        xml.WriteElementString("Value", tag.Value);
        xml.WriteEndElement();
    }
}
