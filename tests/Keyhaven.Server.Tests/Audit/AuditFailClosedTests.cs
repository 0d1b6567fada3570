using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Keyhaven.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Keyhaven.Server.Tests.Audit;

/// <summary>
/// Audit fails closed: while storage refuses to take the trail's writes, requests answer KMSInternalException (500)
/// with no data and change nothing; once storage takes writes again, so does the server, and the chain goes on.
/// The failure is real: the test makes the server's own SQLite database refuse every write to the audit records
/// (triggers that raise SQLITE's "database or disk is full"), as a full disk would, instead of mocking the store.
/// </summary>
public sealed class AuditFailClosedTests
{
    [Fact]
    public async Task Requests_fail_with_KMSInternalException_and_no_data_while_the_trail_cannot_write()
    {
        // The trail is made to fail through triggers in the SQLite file, so this test runs on SQLite whatever the matrix says.
        var directory = Directory.CreateTempSubdirectory("keyhaven-audit-failclosed").FullName;
        await using var server = await TestServer.StartAsync(directory, storage: Keyhaven.Storage.Backends.StorageLocation.FromSqlitePath(Path.Combine(directory, "keyhaven.db")));
        using var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Server.Endpoint.ToString(), AuthenticationRegion = server.Region, MaxErrorRetry = 0 });
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var before = server.Server.AuditTrail.LastSequence;

        await RefuseAuditWritesAsync(server.Options.DatabasePath, refuse: true);
        var failed = await Assert.ThrowsAsync<KMSInternalException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) }));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("audit trail", failed.Message);

        using var raw = new RawKmsClient(server);
        var response = await raw.SendAsync("TrentService.GenerateDataKey", $$"""{"KeyId":"{{key.KeyId}}","KeySpec":"AES_256"}""");
        Assert.Equal((500, "KMSInternalException"), (response.Status, response.ErrorType));
        Assert.False(response.Body.TryGetProperty("Plaintext", out _));
        Assert.False(response.Body.TryGetProperty("CiphertextBlob", out _));

        // A change requested while the trail cannot write is not carried out.
        await Assert.ThrowsAsync<KMSInternalException>(() => kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/unaudited", TargetKeyId = key.KeyId }));
        await Assert.ThrowsAsync<KMSInternalException>(() => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }));

        // The unsigned AssumeRoleWithWebIdentity too: refused before its token is even looked at.
        using (var http = new HttpClient())
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Action"] = "AssumeRoleWithWebIdentity", ["Version"] = "2011-06-15", ["RoleArn"] = $"arn:aws:iam::{key.AWSAccountId}:role/web",
                ["RoleSessionName"] = "s", ["WebIdentityToken"] = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbSJ9.c2ln",
            });
            using var unsigned = await http.PostAsync(server.Server.Endpoint, form);
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, unsigned.StatusCode);
            Assert.Contains("audit trail", await unsigned.Content.ReadAsStringAsync());
        }

        await RefuseAuditWritesAsync(server.Options.DatabasePath, refuse: false);
        Assert.Empty((await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId })).Aliases);
        Assert.Equal(KeyState.Enabled, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) });
        Assert.NotNull((await server.EventOfAsync(encrypted.ResponseMetadata.RequestId)).Event);

        // Nothing of the refused requests was recorded, and the chain continues without a gap.
        var recorded = await server.EventsAsync(before);
        Assert.Equal(["ListAliases", "DescribeKey", "Encrypt"], recorded.Select(e => e.Event.EventName));
        Assert.Equal(Enumerable.Range(1, 3).Select(i => before + i), recorded.Select(e => e.Sequence));
    }

    /// <summary>Adds (or drops) triggers that make SQLite refuse every insert or update of an audit record, as a full disk would.</summary>
    private static async Task RefuseAuditWritesAsync(string databasePath, bool refuse)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = refuse
            ? """
              CREATE TRIGGER refuse_audit_insert BEFORE INSERT ON records WHEN NEW.tbl LIKE 'audit%' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
              CREATE TRIGGER refuse_audit_update BEFORE UPDATE ON records WHEN NEW.tbl LIKE 'audit%' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
              """
            : "DROP TRIGGER refuse_audit_insert; DROP TRIGGER refuse_audit_update;";
        await command.ExecuteNonQueryAsync();
    }
}
