using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Keyhaven.Server.Tests.Infrastructure;
using Keyhaven.Server.Tests.Sts;
using static Keyhaven.Server.Tests.Infrastructure.KmsAssert;

namespace Keyhaven.Server.Tests.Federation;

/// <summary>
/// AssumeRoleWithWebIdentity against a real HTTPS issuer: token checks (signature, issuer, audience, expiry), the
/// trust policy's provider condition keys, key rotation, certificate trust by thumbprint, group-to-role mappings, and
/// the federated identity in later calls.
/// </summary>
public sealed class FederationTests
{
    [Fact]
    public async Task A_federated_user_whose_group_maps_to_the_role_decrypts_only_records_of_their_department()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());
        var claims = (Dictionary<string, object>)FederationSetup.Claims("finance", "finance");
        claims["https://aws.amazon.com/source_identity"] = "alice@example.com";
        var token = issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims);

        var response = await anonymous.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = setup.RoleArn, RoleSessionName = "alice", WebIdentityToken = token,
        });
        Assert.Equal("user-alice", response.SubjectFromWebIdentityToken);
        Assert.Equal(FederationSetup.Audience, response.Audience);
        Assert.Equal(issuer.HostPath, response.Provider);
        Assert.Equal("alice@example.com", response.SourceIdentity);
        Assert.EndsWith(":assumed-role/DeptReader/alice", response.AssumedRoleUser.Arn);

        using var sts = server.Sts(response.Credentials);
        var caller = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(response.AssumedRoleUser.Arn, caller.Arn);

        using var root = server.Client();
        var key = (await root.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        using var alice = server.Kms(response.Credentials);
        var finance = (await alice.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = Bytes("q3 forecast"), EncryptionContext = new() { ["dept"] = "finance" },
        })).CiphertextBlob;
        var decrypted = await alice.DecryptAsync(new DecryptRequest { CiphertextBlob = finance, EncryptionContext = new() { ["dept"] = "finance" } });
        Assert.Equal("q3 forecast", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        var session = (await server.EventOfAsync(decrypted.ResponseMetadata.RequestId)).Event.UserIdentity.SessionContext!;
        Assert.Equal("alice@example.com", session.SourceIdentity);
        Assert.Equal(response.Provider, session.WebIdFederationData!.FederatedProvider.Split(":oidc-provider/")[1]);
        Assert.NotNull(session.Attributes.CreationDate);

        var hr = (await root.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("salaries"), EncryptionContext = new() { ["dept"] = "hr" } })).CiphertextBlob;
        await DeniedAsync(() => alice.DecryptAsync(new DecryptRequest { CiphertextBlob = hr, EncryptionContext = new() { ["dept"] = "hr" } }));
        await DeniedAsync(() => alice.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = Bytes("x"), EncryptionContext = new() { ["dept"] = "hr" } }));
    }

    [Fact]
    public async Task The_group_mapping_and_the_trust_policy_both_decide()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());
        var now = server.Clock.GetUtcNow();

        // In group "ops", which maps to Operator only: DeptReader is refused, Operator is not.
        var ops = issuer.Issue("user-bob", FederationSetup.Audience, now, FederationSetup.Claims("ops", "ops"));
        var refused = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "bob", WebIdentityToken = ops }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
        await anonymous.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest { RoleArn = setup.OtherRoleArn, RoleSessionName = "bob", WebIdentityToken = ops });

        // In the right group, but the trust policy's condition on sub does not hold.
        var service = issuer.Issue("service-batch", FederationSetup.Audience, now, FederationSetup.Claims("finance", "finance"));
        refused = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "batch", WebIdentityToken = service }));
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }

    [Fact]
    public async Task Tokens_are_checked_for_signature_issuer_audience_and_time()
    {
        await using var issuer = await TestOidcIssuer.StartAsync("ES256");
        await using var stranger = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());
        var now = server.Clock.GetUtcNow();
        var claims = FederationSetup.Claims("finance", "finance");
        Task<AssumeRoleWithWebIdentityResponse> Assume(string token) => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "alice", WebIdentityToken = token });

        await Assume(issuer.Issue("user-alice", FederationSetup.Audience, now, claims)); // ES256 works
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(issuer.Issue("user-alice", "another-app", now, claims)));
        await Assert.ThrowsAsync<ExpiredTokenException>(() => Assume(issuer.Issue("user-alice", FederationSetup.Audience, now.AddHours(-1), claims, TimeSpan.FromMinutes(5))));
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(issuer.Issue("user-alice", FederationSetup.Audience, now.AddMinutes(10), claims)));
        // Another issuer's token, claiming to be from ours: its key is not in our issuer's JWKS.
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(stranger.Issue("user-alice", FederationSetup.Audience, now, claims, issuer: issuer.Issuer.ToString().TrimEnd('/'))));
        // A token of an issuer that is no provider of the account.
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(stranger.Issue("user-alice", FederationSetup.Audience, now, claims)));
        // A tampered payload.
        var parts = issuer.Issue("user-alice", FederationSetup.Audience, now, claims).Split('.');
        var forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("\"finance\"", "\"hr\"", StringComparison.Ordinal))) + "." + parts[2];
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(forged));
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume("not-a-jwt"));
    }

    [Fact]
    public async Task Rotated_issuer_keys_are_fetched_again_and_an_untrusted_certificate_is_a_communication_error()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        await using var server = await TestServer.StartAsync();
        var setup = await FederationSetup.CreateAsync(server, issuer);
        using var anonymous = server.Sts(new AnonymousAWSCredentials());
        Task<AssumeRoleWithWebIdentityResponse> Assume(string token) => anonymous.AssumeRoleWithWebIdentityAsync(
            new AssumeRoleWithWebIdentityRequest { RoleArn = setup.RoleArn, RoleSessionName = "alice", WebIdentityToken = token });
        var claims = FederationSetup.Claims("finance", "finance");

        await Assume(issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims));
        await Assume(issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims));
        Assert.Equal(1, issuer.JwksFetches); // cached

        issuer.Rotate();
        server.Clock.Advance(TimeSpan.FromSeconds(11)); // past the refetch interval
        await Assume(issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims));
        Assert.Equal(2, issuer.JwksFetches);

        // Unknown kids within the interval do not make the server fetch again.
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => Assume(issuer.Issue("user-alice", FederationSetup.Audience, server.Clock.GetUtcNow(), claims) is var t
            ? t.Replace(t.Split('.')[0], System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"RS256","kid":"key-404"}"""u8), StringComparison.Ordinal) : t));
        Assert.Equal(2, issuer.JwksFetches);

        // The same issuer registered in a new server with a thumbprint that is not its certificate's: not trusted.
        await using var other = await TestServer.StartAsync();
        var wrong = await FederationSetup.CreateAsync(other, issuer, thumbprint: new string('a', 40));
        using var otherSts = other.Sts(new AnonymousAWSCredentials());
        await Assert.ThrowsAsync<IDPCommunicationErrorException>(() => otherSts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = wrong.RoleArn, RoleSessionName = "alice", WebIdentityToken = issuer.Issue("user-alice", FederationSetup.Audience, other.Clock.GetUtcNow(), claims),
        }));
    }
}
