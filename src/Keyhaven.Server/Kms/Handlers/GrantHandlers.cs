using Keyhaven.Kms;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Grants;
using Keyhaven.Policy.Context;
using Keyhaven.Server.Authorization;
using Keyhaven.Server.Kms.Model;

namespace Keyhaven.Server.Kms.Handlers;

/// <summary>CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.</summary>
internal static class GrantHandlers
{
    public static IEnumerable<KmsOperation> Create(KmsDomain kms)
    {
        var c = KmsJsonContext.Default;
        yield return new KmsOperation<CreateGrantRequest, CreateGrantResponse>("CreateGrant", c.CreateGrantRequest, c.CreateGrantResponse,
            r => KmsAccess.Key("CreateGrant", r.KeyId, context: CreateGrantContext(r)),
            async (caller, r, ct) =>
        {
            EnsureNoServicePrincipals(r.GranteeServicePrincipal, r.RetiringServicePrincipal, r.Constraints?.SourceArn);
            var created = await kms.GrantManager.CreateAsync(caller, new NewGrantRequest(r.KeyId, r.GranteePrincipal, r.RetiringPrincipal, r.Operations,
                r.Constraints?.EncryptionContextEquals, r.Constraints?.EncryptionContextSubset, r.GrantTokens, r.Name), r.DryRun == true, ct);
            return new CreateGrantResponse(created.GrantToken, created.Grant.Id.Value);
        });
        yield return new KmsOperation<ListGrantsRequest, ListGrantsResponse>("ListGrants", c.ListGrantsRequest, c.ListGrantsResponse,
            r => KmsAccess.Key("ListGrants", r.KeyId),
            async (caller, r, ct) =>
        {
            EnsureNoServicePrincipals(r.GranteeServicePrincipal, null, null);
            var page = await kms.GrantManager.ListAsync(caller, r.KeyId, Limit(r.Limit), Paging.Marker(r.Marker), r.GrantId, r.GranteePrincipal, ct);
            return new ListGrantsResponse([.. page.Items.Select(ToEntry)], page.NextMarker, page.Truncated);
        });
        yield return new KmsOperation<ListRetirableGrantsRequest, ListGrantsResponse>("ListRetirableGrants", c.ListRetirableGrantsRequest, c.ListGrantsResponse,
            r => KmsAccess.Account("ListRetirableGrants"),
            async (caller, r, ct) =>
        {
            EnsureNoServicePrincipals(null, r.RetiringServicePrincipal, null);
            var page = await kms.GrantManager.ListRetirableAsync(caller, r.RetiringPrincipal, Limit(r.Limit), Paging.Marker(r.Marker), ct);
            return new ListGrantsResponse([.. page.Items.Select(ToEntry)], page.NextMarker, page.Truncated);
        });
        yield return new KmsOperation<RetireGrantRequest, EmptyResponse>("RetireGrant", c.RetireGrantRequest, c.EmptyResponse,
            r => KmsAccess.Key("RetireGrant", r.KeyId ?? (r.GrantToken is null ? null : GrantToken.Parse(r.GrantToken, "grantToken").KeyArn)),
            async (caller, r, ct) =>
        {
            await kms.GrantManager.RetireAsync(caller, r.GrantToken, r.KeyId, r.GrantId, r.DryRun == true, ct);
            return EmptyResponse.Instance;
        });
        yield return new KmsOperation<RevokeGrantRequest, EmptyResponse>("RevokeGrant", c.RevokeGrantRequest, c.EmptyResponse,
            r => KmsAccess.Key("RevokeGrant", r.KeyId),
            async (caller, r, ct) =>
        {
            await kms.GrantManager.RevokeAsync(caller, r.KeyId, r.GrantId, r.DryRun == true, ct);
            return EmptyResponse.Instance;
        });
    }

    /// <summary>ListGrants and ListRetirableGrants: Limit 1–100, default 50.</summary>
    private static int Limit(int? limit) => Paging.Limit(limit, 100, whenAbsent: GrantManager.DefaultListLimit);

    private static GrantListEntry ToEntry(Grant g) => new(g.KeyArn, g.Id.Value, g.Name, g.CreatedAt, g.GranteePrincipal, g.RetiringPrincipal,
        g.IssuingAccount, [.. g.OperationNames], g.Constraints is { } k
            ? new GrantConstraintsModel(k.EncryptionContextSubset?.ToDictionary(), k.EncryptionContextEquals?.ToDictionary(), null)
            : null);

    /// <summary>The grant condition keys AWS KMS evaluates for CreateGrant (kms:GranteePrincipal, kms:GrantOperations, …).</summary>
    // spec: kms/latest/developerguide/conditions-kms.html
    private static Dictionary<string, ContextValues> CreateGrantContext(CreateGrantRequest r)
    {
        var context = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        if (r.GranteePrincipal is not null)
        {
            context["kms:GranteePrincipal"] = new ContextValues(r.GranteePrincipal);
        }

        if (r.RetiringPrincipal is not null)
        {
            context["kms:RetiringPrincipal"] = new ContextValues(r.RetiringPrincipal);
        }

        if (r.Operations is { Count: > 0 })
        {
            context["kms:GrantOperations"] = new ContextValues([.. r.Operations]);
        }

        if (r.Constraints is { } k && (k.EncryptionContextEquals ?? k.EncryptionContextSubset) is { } pairs)
        {
            context["kms:GrantConstraintType"] = new ContextValues(k.EncryptionContextEquals is not null ? "EncryptionContextEquals" : "EncryptionContextSubset");

            // AWS lists kms:EncryptionContext:<key> and kms:EncryptionContextKeys for CreateGrant: their values are the
            // encryption context of the grant's constraint (a request with both kinds fails validation after this). They
            // are condition keys only: the request itself has no encryption context for grant constraints to check.
            foreach (var (pairKey, pairValue) in pairs)
            {
                if (pairValue is not null) // a null value fails validation after authorization
                {
                    context["kms:EncryptionContext:" + pairKey] = new ContextValues(pairValue);
                }
            }

            if (pairs.Count > 0)
            {
                context["kms:EncryptionContextKeys"] = new ContextValues([.. pairs.Keys]);
            }
        }

        return context;
    }

    /// <summary>Grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn) are not offered yet.</summary>
    private static void EnsureNoServicePrincipals(string? granteeServicePrincipal, string? retiringServicePrincipal, string? sourceArn)
    {
        if (granteeServicePrincipal is not null || retiringServicePrincipal is not null || sourceArn is not null)
        {
            throw new KmsException(KmsErrorCode.UnsupportedOperationException,
                "GranteeServicePrincipal, RetiringServicePrincipal and the SourceArn constraint are not supported by this release of Keyhaven.");
        }
    }
}
