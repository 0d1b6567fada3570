using System.Collections.Frozen;
using System.Globalization;
using Keyhaven.Identity.Organizations;
using Keyhaven.Kms.Keys;
using Keyhaven.Policy.Context;
using Keyhaven.Server.Authentication;
using Keyhaven.Server.Kms;
using Keyhaven.Server.Pipeline;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// The condition keys of one KMS access, computed when a condition asks for them: most policies (the default key
/// policy among them) ask for none, so the common request builds nothing. Keys are matched case-insensitively, as IAM
/// matches condition key names; encryption-context and tag keys included.
/// </summary>
/// <remarks>
/// Values are computed on each lookup (small allocations for time and address strings, only when asked). Without an
/// <see cref="AwsRequest"/> (governance analysis asks about no request in particular) the keys of the network path
/// and transport (<c>aws:SourceIp</c>, <c>aws:SecureTransport</c>, the VPC keys) are absent unless the access gives them.
/// <c>kms:ResourceAliases</c> needs a storage read, so the authorizer loads it beforehand, and only when a policy of the
/// request names it (<see cref="ResourceAliases"/>).
/// </remarks>
internal sealed class KmsRequestContext(CallerIdentity caller, string region, AwsRequest? request, KmsKey? key, KmsAccess access, DateTimeOffset now,
    Guardrails? callerGuardrails, Guardrails? resourceGuardrails) : IRequestContext
{
    /// <summary>The context of an access of <paramref name="request"/>.</summary>
    public KmsRequestContext(AwsRequest request, KmsKey? key, KmsAccess access, DateTimeOffset now, Guardrails? callerGuardrails, Guardrails? resourceGuardrails)
        : this(request.Caller, request.Region, request, key, access, now, callerGuardrails, resourceGuardrails)
    {
    }

    /// <summary>The condition key naming the aliases of the key (multi-valued).</summary>
    public const string ResourceAliasesKey = "kms:ResourceAliases";

    private const string EncryptionContextPrefix = "kms:EncryptionContext:";
    private const string ResourceTagPrefix = "aws:ResourceTag/";
    private const string PrincipalTagPrefix = "aws:PrincipalTag/";

    /// <summary>
    /// The actions kms:RequestAlias applies to: the cryptographic operations, DescribeKey and GetPublicKey. Alias
    /// operations (UpdateAlias, DeleteAlias name the key by the alias) and management operations do not have it.
    /// </summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias
    private static readonly FrozenSet<string> RequestAliasActions = new[]
    {
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac",
        "kms:DeriveSharedSecret", "kms:DescribeKey", "kms:GetPublicKey",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// kms:ResourceAliases: the names of the key's aliases, in its account and region; null when no policy asks for
    /// them (the authorizer looks them up only then). A key without aliases has no value.
    /// </summary>
    // spec: kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
    public string[]? ResourceAliases { get; init; }

    public bool TryGetValues(string name, out ContextValues values)
    {
        if (access.Context is { } given && given.TryGetValue(name, out values))
        {
            return true;
        }

        values = default;
        if (name.StartsWith(EncryptionContextPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Find(access.EncryptionContext, name.AsSpan(EncryptionContextPrefix.Length), out values);
        }

        if (name.StartsWith(ResourceTagPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return key is not null && FindTag(key, name.AsSpan(ResourceTagPrefix.Length), out values);
        }

        if (name.StartsWith(PrincipalTagPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Find(caller.Tags, name.AsSpan(PrincipalTagPrefix.Length), out values);
        }

        if (Is(name, "aws:PrincipalOrgPaths") && callerGuardrails is not null)
        {
            values = new ContextValues([.. callerGuardrails.OrgPaths]);
            return true;
        }

        if (Is(name, "aws:ResourceOrgPaths") && resourceGuardrails is not null && key is not null)
        {
            values = new ContextValues([.. resourceGuardrails.OrgPaths]);
            return true;
        }

        string? single = null;
        if (Is(name, "aws:userid"))
        {
            single = caller.UserId;
        }
        else if (Is(name, "aws:MultiFactorAuthPresent") && caller.IsSession)
        {
            single = "false"; // AWS: present for temporary credentials; Keyhaven sessions are never MFA-authenticated yet
        }
        else if (Is(name, "aws:PrincipalOrgID"))
        {
            single = callerGuardrails?.OrganizationId;
        }
        else if (Is(name, "aws:ResourceOrgID"))
        {
            single = key is null ? null : resourceGuardrails?.OrganizationId;
        }
        else if (Is(name, "aws:CurrentTime"))
        {
            single = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
        else if (Is(name, "aws:TokenIssueTime") && caller.Principal.SessionCreated is { } issued)
        {
            // AWS: present only for temporary credentials; IAM's "Revoke active sessions" denies by it.
            // spec: IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tokenissuetime
            single = issued.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
        else if (Is(name, "aws:EpochTime"))
        {
            single = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }
        else if (Is(name, "aws:RequestedRegion"))
        {
            single = region;
        }
        else if (Is(name, "aws:SecureTransport"))
        {
            single = request is null ? null : request.Http.Request.IsHttps ? "true" : "false";
        }
        else if (Is(name, "aws:ViaAWSService") || Is(name, "aws:PrincipalIsAWSService"))
        {
            single = "false"; // every caller is a principal signing its own request; no AWS service acts for it
        }
        else if (Is(name, "aws:SourceIdentity"))
        {
            single = caller.Principal.SourceIdentity;
        }
        else if (Is(name, "aws:FederatedProvider"))
        {
            single = caller.Principal.FederatedProvider;
        }
        else if (Is(name, "aws:ec2InstanceSourceVpc"))
        {
            single = caller.Principal.Ec2InstanceSourceVpc;
        }
        else if (Is(name, "aws:ec2InstanceSourcePrivateIPv4"))
        {
            single = caller.Principal.Ec2InstanceSourcePrivateIPv4;
        }
        else if (Is(name, "ec2:SourceInstanceARN"))
        {
            // spec: service-authorization/latest/reference/list_amazonec2.html#amazonec2-policy-keys (and the AWS Security
            // Blog's "How to use policies to restrict where EC2 instance credentials can be used from")
            single = caller.Principal.Ec2SourceInstanceArn;
        }
        else if (Is(name, "ec2:RoleDelivery") && caller.Principal.Ec2SourceInstanceArn is not null)
        {
            single = "2.0"; // the metadata listener speaks only IMDSv2 (session tokens), whose credentials are version 2.0
        }
        else if (Is(name, "kms:GrantIsForAWSResource") && access.Action is "kms:CreateGrant" or "kms:ListGrants" or "kms:RevokeGrant")
        {
            single = "false"; // true only when an integrated AWS service manages the grant for its resource
        }
        else if (Is(name, "aws:SourceIp"))
        {
            // AWS: a request through a VPC endpoint has no public source address; it carries aws:VpcSourceIp instead.
            single = request is null || request.Origin.Endpoint is not null ? null : request.Origin.ClientAddressText;
        }
        else if (request?.Origin is { Endpoint: { } endpoint, Vpc: { } vpc } && NetworkKey(request, name, endpoint, vpc) is { } networkValue)
        {
            single = networkValue;
        }
        else if (Is(name, "kms:EncryptionContextKeys") && access.EncryptionContext is { Count: > 0 } encryptionContext)
        {
            values = new ContextValues([.. encryptionContext.Keys]);
            return true;
        }
        else if (key is not null && Is(name, ResourceAliasesKey) && ResourceAliases is { Length: > 0 } aliases)
        {
            values = new ContextValues(aliases);
            return true;
        }
        else if (Is(name, "kms:RequestAlias") && access.KeyIdentifier is { } identifier && RequestAliasActions.Contains(access.Action)
            && identifier.Contains("alias/", StringComparison.Ordinal))
        {
            single = identifier[identifier.IndexOf("alias/", StringComparison.Ordinal)..];
        }
        else if (key is not null && Is(name, "kms:KeySpec"))
        {
            single = key.Spec.ToWire();
        }
        else if (key is not null && Is(name, "kms:KeyUsage"))
        {
            single = key.Usage.ToWire();
        }
        else if (key is not null && Is(name, "kms:KeyOrigin"))
        {
            single = key.Origin.ToWire();
        }
        else if (key is not null && Is(name, "kms:MultiRegion"))
        {
            single = key.MultiRegion is null ? "false" : "true";
        }
        else if (key is not null && Is(name, "kms:MultiRegionKeyType") && key.MultiRegion is not null)
        {
            single = key.IsMultiRegionPrimary ? "PRIMARY" : "REPLICA";
        }

        if (single is null)
        {
            return false;
        }

        values = new ContextValues(single);
        return true;
    }

    private static string? NetworkKey(AwsRequest request, string name, Network.NetworkConfiguration.VpcEndpoint endpoint, Network.NetworkConfiguration.Vpc vpc) =>
        Is(name, "aws:SourceVpce") ? endpoint.Id
        : Is(name, "aws:SourceVpc") ? vpc.Id
        : Is(name, "aws:SourceVpcArn") ? vpc.Arn(request.Region)
        : Is(name, "aws:VpcSourceIp") ? request.Origin.ClientAddressText
        : Is(name, "aws:VpceAccount") ? vpc.Account
        : null;

    private static bool Is(string name, string key) => string.Equals(name, key, StringComparison.OrdinalIgnoreCase);

    private static bool Find(IReadOnlyDictionary<string, string>? pairs, ReadOnlySpan<char> wanted, out ContextValues values)
    {
        values = default;
        if (pairs is null)
        {
            return false;
        }

        foreach (var (name, value) in pairs)
        {
            if (wanted.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                values = new ContextValues(value);
                return true;
            }
        }

        return false;
    }

    private static bool FindTag(KmsKey key, ReadOnlySpan<char> wanted, out ContextValues values)
    {
        values = default;
        foreach (var tag in key.Tags)
        {
            if (wanted.Equals(tag.Key, StringComparison.OrdinalIgnoreCase))
            {
                values = new ContextValues(tag.Value);
                return true;
            }
        }

        return false;
    }
}
