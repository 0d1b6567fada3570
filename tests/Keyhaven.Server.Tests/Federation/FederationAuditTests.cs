using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Federation;

/// <summary>
/// The federated identity in the audit trail, as CloudTrail records it: AssumeRoleWithWebIdentity by a
/// <c>WebIdentityUser</c> (provider, audience, subject), and every later call made with its credentials carrying
/// <c>sessionContext.webIdFederationData</c> (the provider and the token's audience and subject) and the source identity.
/// </summary>
public sealed class FederationAuditTests
{
    [Fact]
    public async Task AssumeRoleWithWebIdentity_is_recorded_as_a_WebIdentityUser_and_later_calls_carry_the_federation_data()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());
        var claims = (Dictionary<string, object>)FederationSetup.Claims("finance", "finance");
        claims["https://aws.amazon.com/source_identity"] = "alice@example.com";
        var token = issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims);
        var assumed = await anonymous.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = setup.RoleArn, RoleSessionName = "alice", WebIdentityToken = token, DurationSeconds = 900,
        });

        // spec: CloudTrail User Guide, "CloudTrail userIdentity element" (WebIdentityUser; webIdFederationData)
        var assumeEvent = (await server.EventOfAsync(assumed.ResponseMetadata.RequestId)).Event;
        Assert.Equal(("sts.amazonaws.com", "AssumeRoleWithWebIdentity", null), (assumeEvent.EventSource, assumeEvent.EventName, assumeEvent.ErrorCode));
        var webUser = assumeEvent.UserIdentity;
        Assert.Equal(("WebIdentityUser", "user-alice", setup.ProviderArn), (webUser.Type, webUser.UserName, webUser.IdentityProvider));
        Assert.Equal($"{setup.ProviderArn}:{FederationSetup.Audience}:user-alice", webUser.PrincipalId);
        Assert.Null(webUser.Arn);
        var parameters = assumeEvent.RequestParameters!.Value;
        Assert.Equal((setup.RoleArn, "alice", 900), (parameters.GetProperty("roleArn").GetString(), parameters.GetProperty("roleSessionName").GetString(),
            parameters.GetProperty("durationSeconds").GetInt32()));
        Assert.False(parameters.TryGetProperty("webIdentityToken", out _));
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(assumeEvent.ToJson()));
        var elements = assumeEvent.ResponseElements!.Value;
        Assert.Equal(("user-alice", FederationSetup.Audience, issuer.HostPath), (elements.GetProperty("subjectFromWebIdentityToken").GetString(),
            elements.GetProperty("audience").GetString(), elements.GetProperty("provider").GetString()));
        Assert.Equal(assumed.Credentials.AccessKeyId, elements.GetProperty("credentials").GetProperty("accessKeyId").GetString());
        Assert.False(elements.GetProperty("credentials").TryGetProperty("sessionToken", out _));
        var role = Assert.Single(assumeEvent.Resources!);
        Assert.Equal((setup.RoleArn, "AWS::IAM::Role"), (role.Arn, role.Type));
        Assert.Equal(server.Server.Deployment.Account.Value, assumeEvent.RecipientAccountId);

        // A call made with the session's credentials.
        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var alice = server.Kms(assumed.Credentials);
        var encrypted = await alice.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x"), EncryptionContext = new() { ["dept"] = "finance" } });
        var session = (await server.EventOfAsync(encrypted.ResponseMetadata.RequestId)).Event.UserIdentity;
        Assert.Equal(("AssumedRole", assumed.AssumedRoleUser.Arn, assumed.Credentials.AccessKeyId), (session.Type, session.Arn, session.AccessKeyId));
        var context = session.SessionContext!;
        Assert.Equal(setup.RoleArn, context.SessionIssuer!.Arn);
        Assert.Equal("alice@example.com", context.SourceIdentity);
        var federation = context.WebIdFederationData!;
        Assert.Equal(setup.ProviderArn, federation.FederatedProvider);
        Assert.Equal(new Dictionary<string, string> { [issuer.HostPath + ":aud"] = FederationSetup.Audience, [issuer.HostPath + ":sub"] = "user-alice" },
            federation.Attributes);

        // So does a denied one, and the JSON is CloudTrail's shape.
        var denied = await DeniedAsync(() => alice.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x"), EncryptionContext = new() { ["dept"] = "hr" } }));
        var json = System.Text.Json.JsonDocument.Parse((await server.EventOfAsync(denied.RequestId)).Event.ToJson()).RootElement;
        var data = json.GetProperty("userIdentity").GetProperty("sessionContext").GetProperty("webIdFederationData");
        Assert.Equal(setup.ProviderArn, data.GetProperty("federatedProvider").GetString());
        Assert.Equal("user-alice", data.GetProperty("attributes").GetProperty(issuer.HostPath + ":sub").GetString());

        // Sessions that are not federated carry no federation data.
        using var stsRoot = server.Sts();
        var plain = await stsRoot.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Null((await server.EventOfAsync(plain.ResponseMetadata.RequestId)).Event.UserIdentity.SessionContext);
    }

    [Fact]
    public async Task A_refused_AssumeRoleWithWebIdentity_names_the_web_identity_once_the_token_is_verified()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());

        // A verified token whose subject the trust policy does not accept: the caller is known, the call denied.
        var service = issuer.Issue("service-batch", FederationSetup.Audience, server.Clock.GetUtcNow(), FederationSetup.Claims("finance", "finance"));
        var refused = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "batch", WebIdentityToken = service }));
        var denied = (await server.EventOfAsync(refused.RequestId)).Event;
        Assert.Equal(("AccessDenied", "WebIdentityUser", "service-batch"), (denied.ErrorCode, denied.UserIdentity.Type, denied.UserIdentity.UserName));

        // A token that does not verify names no one.
        var forged = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "forged", WebIdentityToken = service[..^4] + "AAAA" }));
        var unknown = (await server.EventOfAsync(forged.RequestId)).Event;
        Assert.Equal(("InvalidIdentityToken", "Unknown"), (unknown.ErrorCode, unknown.UserIdentity.Type));
    }
}
