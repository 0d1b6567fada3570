using Keyhaven.Kms;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>
/// CreateAlias, UpdateAlias, DeleteAlias, ListAliases. As in AWS KMS, changing an alias needs the permission on the
/// alias itself (identity policies: aliases have no resource policy) and on each key it points to before and after
/// (their key policies). ListAliases needs <c>kms:ListAliases</c> on the account (IAM policy), with or without a KeyId.
/// </summary>
internal static class AliasHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<AliasRequest, EmptyResponse>("CreateAlias", c.AliasRequest, c.EmptyResponse,
            r => [.. KmsAccess.Alias("CreateAlias", r.AliasName), .. KmsAccess.Key("CreateAlias", r.TargetKeyId)],
            async (caller, r, ct) =>
        {
            await kms.AliasManager.CreateAsync(caller, r.AliasName, r.TargetKeyId, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<AliasRequest, EmptyResponse>("UpdateAlias", c.AliasRequest, c.EmptyResponse,
            r => [.. KmsAccess.Alias("UpdateAlias", r.AliasName), .. KmsAccess.Key("UpdateAlias", r.AliasName), .. KmsAccess.Key("UpdateAlias", r.TargetKeyId)],
            async (caller, r, ct) =>
        {
            await kms.AliasManager.UpdateAsync(caller, r.AliasName, r.TargetKeyId, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<AliasRequest, EmptyResponse>("DeleteAlias", c.AliasRequest, c.EmptyResponse,
            r => [.. KmsAccess.Alias("DeleteAlias", r.AliasName), .. KmsAccess.Key("DeleteAlias", r.AliasName)],
            async (caller, r, ct) =>
        {
            await kms.AliasManager.DeleteAsync(caller, r.AliasName, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<ListAliasesRequest, ListAliasesResponse>("ListAliases", c.ListAliasesRequest, c.ListAliasesResponse,
            _ => KmsAccess.Account("ListAliases"), // an IAM permission; KeyId is a filter, resolved in the caller's account only
            async (caller, r, ct) =>
        {
            var page = await kms.AliasManager.ListAsync(caller, r.KeyId, Paging.Limit(r.Limit, 100, whenAbsent: 50), Paging.Marker(r.Marker), ct);
            return new ListAliasesResponse(
                [.. page.Items.Select(a => new AliasListEntry(a.Name, a.Arn, a.TargetKeyId.Value, a.CreatedAt, a.LastUpdatedAt))], page.NextMarker, page.Truncated);
        });
    }
}
