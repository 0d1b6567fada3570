using Keyhaven.Policy.Context;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// One permission a KMS request needs: an action on a key (named by an identifier, or by the key a ciphertext
/// names) or on the account, with the request's own condition keys. Most operations need one; ReEncrypt needs two.
/// </summary>
internal sealed record KmsAccess(string Action)
{
    /// <summary>The key identifier the request gives (id, ARN, alias name or ARN); null with <see cref="Ciphertext"/> or for account-level actions.</summary>
    public string? KeyIdentifier { get; init; }

    /// <summary>
    /// The region the access happens in, when it is not the request's: ReplicateKey's kms:CreateKey in the replica
    /// region, UpdatePrimaryRegion on the replica. A bare key id resolves there; aws:RequestedRegion is this region.
    /// </summary>
    public string? Region { get; init; }

    /// <summary>An alias name (<c>alias/…</c>) that is itself the resource, in the caller's account and region (identity policies only).</summary>
    public string? AliasName { get; init; }

    /// <summary>A ciphertext whose key is the resource (Decrypt, ReEncrypt's source).</summary>
    public byte[]? Ciphertext { get; init; }

    /// <summary>The request's encryption context: condition keys and grant constraints.</summary>
    public IReadOnlyDictionary<string, string>? EncryptionContext { get; init; }

    /// <summary>Grant tokens the request carries: grants they name count at once, before they are stored everywhere.</summary>
    public IReadOnlyList<string>? GrantTokens { get; init; }

    /// <summary>Further condition keys from the request (kms:EncryptionAlgorithm, aws:RequestTag/…, …).</summary>
    public IReadOnlyDictionary<string, ContextValues>? Context { get; init; }

    /// <summary>
    /// A key policy the request sets (CreateKey, PutKeyPolicy): it must be readable by the policy engine and, unless
    /// <see cref="BypassLockoutCheck"/>, still let the caller change the key policy afterwards.
    /// </summary>
    public string? NewKeyPolicy { get; init; }

    public bool BypassLockoutCheck { get; init; }

    /// <summary>The attested enclave the response will be sealed to (its condition keys are in <see cref="Context"/>); recorded in the audit event.</summary>
    public Kms.Recipients.VerifiedRecipient? Recipient { get; init; }

    /// <summary>This access with <paramref name="recipient"/>'s condition keys added (unchanged when there is none).</summary>
    public KmsAccess WithRecipient(Kms.Recipients.VerifiedRecipient? recipient)
    {
        if (recipient is null)
        {
            return this;
        }

        return WithConditionKeys(recipient.ConditionKeys()) with { Recipient = recipient };
    }

    /// <summary>This access with <paramref name="keys"/> added to its condition keys (a copy: <see cref="Context"/> may be shared).</summary>
    public KmsAccess WithConditionKeys(IEnumerable<KeyValuePair<string, ContextValues>> keys)
    {
        var context = new Dictionary<string, ContextValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in Context ?? new Dictionary<string, ContextValues>())
        {
            context[name] = value;
        }

        foreach (var (name, value) in keys)
        {
            context[name] = value;
        }

        return this with { Context = context };
    }

    /// <summary>Account-level access to <c>kms:{operation}</c>.</summary>
    public static KmsAccess[] Account(string operation, IReadOnlyDictionary<string, ContextValues>? context = null) =>
        [new("kms:" + operation) { Context = context }];

    /// <summary>Access to <c>kms:{operation}</c> on the alias a request names.</summary>
    public static KmsAccess[] Alias(string operation, string? aliasName) => [new("kms:" + operation) { AliasName = aliasName ?? string.Empty }];

    /// <summary>Access to <c>kms:{operation}</c> on the key a request names.</summary>
    public static KmsAccess[] Key(string operation, string? keyIdentifier, IReadOnlyDictionary<string, string>? encryptionContext = null,
        IReadOnlyDictionary<string, ContextValues>? context = null, IReadOnlyList<string>? grantTokens = null) =>
        [new("kms:" + operation) { KeyIdentifier = keyIdentifier ?? string.Empty, EncryptionContext = encryptionContext, Context = context, GrantTokens = grantTokens }];
}
