using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Keyhaven.Kms.Accounts;
using Keyhaven.Server.Authentication;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Records;

namespace Keyhaven.Server.Hosting;

/// <summary>
/// The deployment's identity, made on first start and reused ever after: its account id and the bootstrap
/// administrator's access key. The secret is shown once (<see cref="NewAccessKey"/>) and written to an AWS CLI
/// credentials file (mode 0600); afterwards it lives only, sealed, in storage.
/// </summary>
public sealed class Deployment
{
    private static readonly StorageKey RecordKey = new("settings", "deployment");

    private Deployment(AccountId account, string administratorAccessKeyId, AccessKey? newAccessKey)
    {
        Account = account;
        AdministratorAccessKeyId = administratorAccessKeyId;
        NewAccessKey = newAccessKey;
    }

    public AccountId Account { get; }
    public string AdministratorAccessKeyId { get; }

    /// <summary>Set only on the first start: the bootstrap credentials, to print once.</summary>
    public AccessKey? NewAccessKey { get; }

    public static async Task<Deployment> LoadOrCreateAsync(RecordStore store, AccessKeyStore accessKeys, KeyhavenServerOptions options, CancellationToken cancellationToken)
    {
        await using (var transaction = await store.BeginAsync(write: false, cancellationToken))
        {
            var record = await transaction.GetAsync(RecordKey, cancellationToken);
            if (record is not null)
            {
                var existing = JsonSerializer.Deserialize(record.Value, DeploymentJsonContext.Default.DeploymentDocument)!;
                return new Deployment(AccountId.Parse(existing.Account), existing.AdministratorAccessKeyId, null);
            }
        }

        var account = AccountId.Parse(string.Concat(Enumerable.Range(0, 12).Select(i => (char)('0' + RandomNumberGenerator.GetInt32(i == 0 ? 1 : 0, 10)))));
        var identity = new CallerIdentity(account, $"arn:aws:iam::{account}:root", account.Value);
        var accessKey = await accessKeys.CreateAsync(identity, options.Time.GetUtcNow(), cancellationToken);
        var document = JsonSerializer.SerializeToUtf8Bytes(
            new DeploymentDocument { Account = account.Value, AdministratorAccessKeyId = accessKey.AccessKeyId }, DeploymentJsonContext.Default.DeploymentDocument);
        try
        {
            await store.WriteAsync(async transaction =>
            {
                await transaction.PutAsync(RecordKey, 0, document, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (StorageConflictException)
        {
            // Another node sharing the storage initialized the deployment first: use its. (The access key made above
            // stays unused: its secret was never shown to anyone.)
            return await LoadOrCreateAsync(store, accessKeys, options, cancellationToken);
        }

        WriteCredentialsFile(options.CredentialsPath, accessKey, options.Region);
        return new Deployment(account, accessKey.AccessKeyId, accessKey);
    }

    /// <summary>Writes an AWS CLI credentials file with profile <c>keyhaven</c>, readable only by its owner.</summary>
    private static void WriteCredentialsFile(string path, AccessKey accessKey, string region)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write($"[keyhaven]\naws_access_key_id = {accessKey.AccessKeyId}\naws_secret_access_key = {accessKey.SecretAccessKey}\nregion = {region}\n");
    }

    internal sealed class DeploymentDocument
    {
        public string Account { get; set; } = "";
        public string AdministratorAccessKeyId { get; set; } = "";
    }
}

[JsonSerializable(typeof(Deployment.DeploymentDocument))]
internal sealed partial class DeploymentJsonContext : JsonSerializerContext;
