using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;

namespace Keyhaven.Server.Tests.Audit;

/// <summary>CloudTrail LookupEvents over the trail: newest first, one lookup attribute, time range, paging, the caller's account only, and authorized by policy.</summary>
public sealed class LookupEventsTests
{
    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    [Fact]
    public async Task Events_come_back_newest_first_filtered_and_paged()
    {
        await using var server = await TestServer.StartAsync();
        using var kms = server.Client();
        var keys = new List<KeyMetadata>();
        for (var i = 0; i < 3; i++)
        {
            keys.Add((await kms.CreateKeyAsync(new CreateKeyRequest { Description = "k" + i })).KeyMetadata);
            await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keys[^1].KeyId });
        }

        using var raw = new RawKmsClient(server);
        var described = await LookupAsync(raw, """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"DescribeKey"}],"MaxResults":2}""");
        var events = described.GetProperty("Events").EnumerateArray().ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("DescribeKey", e.GetProperty("EventName").GetString()));
        Assert.Equal([keys[2].Arn, keys[1].Arn], events.Select(e => e.GetProperty("Resources")[0].GetProperty("ResourceName").GetString()));
        Assert.Equal("root", events[0].GetProperty("Username").GetString());
        Assert.Equal("true", events[0].GetProperty("ReadOnly").GetString());
        using (var inner = JsonDocument.Parse(events[0].GetProperty("CloudTrailEvent").GetString()!))
        {
            Assert.Equal("kms.amazonaws.com", inner.RootElement.GetProperty("eventSource").GetString());
        }

        var token = described.GetProperty("NextToken").GetString();
        var rest = await LookupAsync(raw, $$"""{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"DescribeKey"}],"MaxResults":2,"NextToken":"{{token}}"}""");
        Assert.Equal(keys[0].Arn, Assert.Single(rest.GetProperty("Events").EnumerateArray()).GetProperty("Resources")[0].GetProperty("ResourceName").GetString());
        Assert.False(rest.TryGetProperty("NextToken", out _));

        var byKey = await LookupAsync(raw, $$"""{"LookupAttributes":[{"AttributeKey":"ResourceName","AttributeValue":"{{keys[1].KeyId}}"}]}""");
        Assert.Equal(["DescribeKey"], byKey.GetProperty("Events").EnumerateArray().Select(e => e.GetProperty("EventName").GetString()));

        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        Assert.Empty((await LookupAsync(raw, $$"""{"StartTime":{{future}}}""")).GetProperty("Events").EnumerateArray());

        var refused = await raw.SendAsync(Target, $$"""{"StartTime":{{future}},"EndTime":1}""", service: "cloudtrail");
        Assert.Equal((400, "InvalidTimeRangeException"), (refused.Status, refused.ErrorType));
        refused = await raw.SendAsync(Target, """{"LookupAttributes":[{"AttributeKey":"Colour","AttributeValue":"red"}]}""", service: "cloudtrail");
        Assert.Equal("InvalidLookupAttributesException", refused.ErrorType);
        refused = await raw.SendAsync(Target, """{"MaxResults":51}""", service: "cloudtrail");
        Assert.Equal("InvalidMaxResultsException", refused.ErrorType);
    }

    [Fact]
    public async Task A_user_needs_cloudtrail_LookupEvents_and_sees_only_its_account()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (_, accessKeyId, secret) = await iam.CreateUserWithKeyAsync("auditor", IamQueryClient.Allow("cloudtrail:LookupEvents"));
        using var raw = new RawKmsClient(server);
        var response = await raw.SendAsync(Target, """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateUser"}]}""", accessKeyId, secret, service: "cloudtrail");
        Assert.Equal(200, response.Status);
        var created = response.Body.GetProperty("Events").EnumerateArray().Single();
        Assert.Equal("iam.amazonaws.com", created.GetProperty("EventSource").GetString());

        // A member account's events are the member's: the management account's auditor does not see them.
        await raw.OrganizationsAsync("CreateOrganization", new { FeatureSet = "ALL" });
        var account = await raw.OrganizationsAsync("CreateAccount", new { Email = "workloads@example.com", AccountName = "workloads" });
        var status = await raw.OrganizationsAsync("DescribeCreateAccountStatus", new { CreateAccountRequestId = account.GetProperty("CreateAccountStatus").GetProperty("Id").GetString() });
        var member = status.GetProperty("CreateAccountStatus").GetProperty("AccountId").GetString();
        var (_, operatorKey, operatorSecret) = await iam.CreateUserWithKeyAsync("operator", IamQueryClient.Allow("sts:AssumeRole"));
        using var sts = server.Sts(new BasicAWSCredentials(operatorKey, operatorSecret));
        var session = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName = "ops" });
        using var memberKms = server.Kms(session.Credentials);
        var memberKey = (await memberKms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        var all = await raw.SendAsync(Target, "{}", accessKeyId, secret, service: "cloudtrail");
        var seen = all.Body.GetProperty("Events").EnumerateArray().Select(e =>
        {
            using var inner = JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!);
            var root = inner.RootElement;
            return (Name: root.GetProperty("eventName").GetString(), Recipient: root.GetProperty("recipientAccountId").GetString(),
                Caller: root.GetProperty("userIdentity").TryGetProperty("accountId", out var a) ? a.GetString() : null);
        }).ToList();
        var management = server.Server.Deployment.Account.Value;

        // Its own account's events, and the operator's AssumeRole into the member's role (CloudTrail logs a cross-account
        // AssumeRole in both accounts); never what the member's session did there.
        Assert.All(seen, e => Assert.True(e.Recipient == management || e.Caller == management, $"{e.Name} of {e.Recipient} by {e.Caller}"));
        Assert.Contains(seen, e => e.Name == "AssumeRole" && e.Recipient == member);
        Assert.DoesNotContain(seen, e => e.Caller == member);
        Assert.Contains((await server.EventsAsync()), e => e.Event.RecipientAccountId == member && e.Event.EventName == "CreateKey");
        Assert.Equal(member, memberKey.AWSAccountId);
    }


    [Fact]
    public async Task Lookup_attributes_and_tokens_are_checked_as_CloudTrail_documents()
    {
        await using var server = await TestServer.StartAsync();
        using var iam = new IamQueryClient(server);
        var (_, aliceKey, aliceSecret) = await iam.CreateUserWithKeyAsync("alice", IamQueryClient.Allow("kms:ListKeys"));
        using (var alice = server.Kms(new BasicAWSCredentials(aliceKey, aliceSecret)))
        {
            await alice.ListKeysAsync(new ListKeysRequest());
        }

        using var raw = new RawKmsClient(server);

        // AccessKeyId matches the key that signed the request, not a user name or an ARN that ends like it.
        var byKey = await LookupAsync(raw, $$"""{"LookupAttributes":[{"AttributeKey":"AccessKeyId","AttributeValue":"{{aliceKey}}"}]}""");
        Assert.Equal(["ListKeys"], byKey.GetProperty("Events").EnumerateArray().Select(e => e.GetProperty("EventName").GetString()));
        Assert.All(byKey.GetProperty("Events").EnumerateArray(), e => Assert.Equal(aliceKey, e.GetProperty("AccessKeyId").GetString()));
        foreach (var name in new[] { "alice", "root" })
        {
            var byName = await LookupAsync(raw, $$"""{"LookupAttributes":[{"AttributeKey":"AccessKeyId","AttributeValue":"{{name}}"}]}""");
            Assert.Empty(byName.GetProperty("Events").EnumerateArray());
        }

        // ReadOnly takes true or false only.
        Assert.All((await LookupAsync(raw, """{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"false"}]}""")).GetProperty("Events").EnumerateArray(),
            e => Assert.Equal("false", e.GetProperty("ReadOnly").GetString()));
        var refused = await raw.SendAsync(Target, """{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"yes"}]}""", service: "cloudtrail");
        Assert.Equal((400, "InvalidLookupAttributesException"), (refused.Status, refused.ErrorType));

        // A value's length counts `_`, space, `,` and newline twice (2,000 at most).
        refused = await raw.SendAsync(Target, JsonSerializer.Serialize(new { LookupAttributes = new[] { new { AttributeKey = "EventName", AttributeValue = new string('_', 1001) } } }), service: "cloudtrail");
        Assert.Equal("InvalidLookupAttributesException", refused.ErrorType);

        // A token continues only the query it was issued for; a made-up one is refused.
        const string attributes = """[{"AttributeKey":"EventSource","AttributeValue":"iam.amazonaws.com"}]""";
        var first = await LookupAsync(raw, $$"""{"LookupAttributes":{{attributes}},"MaxResults":1}""");
        var token = first.GetProperty("NextToken").GetString()!;
        Assert.Single((await LookupAsync(raw, $$"""{"LookupAttributes":{{attributes}},"MaxResults":1,"NextToken":"{{token}}"}""")).GetProperty("Events").EnumerateArray());
        refused = await raw.SendAsync(Target, $$"""{"MaxResults":1,"NextToken":"{{token}}"}""", service: "cloudtrail");
        Assert.Equal("InvalidNextTokenException", refused.ErrorType);
        refused = await raw.SendAsync(Target, """{"NextToken":"12"}""", service: "cloudtrail");
        Assert.Equal("InvalidNextTokenException", refused.ErrorType);

        // Times outside the possible range, and a null MaxResults (the default).
        refused = await raw.SendAsync(Target, """{"StartTime":-5}""", service: "cloudtrail");
        Assert.Equal("InvalidTimeRangeException", refused.ErrorType);
        Assert.Equal(200, (await raw.SendAsync(Target, """{"MaxResults":null}""", service: "cloudtrail")).Status);
    }

    private static async Task<JsonElement> LookupAsync(RawKmsClient raw, string body)
    {
        var response = await raw.SendAsync(Target, body, service: "cloudtrail");
        Assert.True(response.Status == 200, $"{response.Status} {response.ErrorType}: {response.Message}");
        return response.Body;
    }
}
