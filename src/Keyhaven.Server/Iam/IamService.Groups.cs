using Microsoft.Extensions.Logging;

namespace Keyhaven.Server.Iam;

internal sealed partial class IamService
{
    private async Task CreateGroupAsync(Call c)
    {
        var group = await Store.CreateGroupAsync(c.Account, c.Require("GroupName"), c.Query.Get("Path"), c.Now, c.Cancellation);
        logger.LogInformation("Request {RequestId}: created group {Arn}", c.Request.RequestId, group.Arn);
        await c.WriteAsync(xml => IamXml.WriteGroup(xml, group));
    }

    private async Task GetGroupAsync(Call c)
    {
        var (group, users) = await Store.GetGroupAsync(c.Account, c.Require("GroupName"), c.Cancellation);
        var (page, next) = Page(c, users);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteGroup(xml, group);
            IamXml.WriteList(xml, "Users", page, (x, user) => IamXml.WriteUser(x, user, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private async Task ListGroupsAsync(Call c)
    {
        var groups = await Store.ListGroupsAsync(c.Account, c.Query.Get("PathPrefix"), c.Cancellation);
        var (page, next) = Page(c, groups);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Groups", page, (x, group) => IamXml.WriteGroup(x, group, "member"));
            IamXml.WritePaging(xml, next);
        });
    }

    private async Task ListGroupsForUserAsync(Call c)
    {
        var groups = await Store.ListGroupsForUserAsync(c.Account, c.Require("UserName"), c.Cancellation);
        var (page, next) = Page(c, groups);
        await c.WriteAsync(xml =>
        {
            IamXml.WriteList(xml, "Groups", page, (x, group) => IamXml.WriteGroup(x, group, "member"));
            IamXml.WritePaging(xml, next);
        });
    }
}
