using Keyhaven.Kms.Aliases;
using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Deletion;
using Keyhaven.Kms.Grants;
using Keyhaven.Kms.Import;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.KeyAgreement;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Macs;
using Keyhaven.Kms.MultiRegion;
using Keyhaven.Kms.Policies;
using Keyhaven.Kms.Rotation;
using Keyhaven.Kms.Signing;
using Keyhaven.Kms.Tags;
using Keyhaven.Kms.Usage;
using Keyhaven.Storage.Records;

namespace Keyhaven.Kms;

/// <summary>The KMS domain wired together over one record store: every service a host exposes.</summary>
public sealed class KmsDomain
{
    /// <param name="servedRegions">The regions the host serves (where multi-Region keys can be replicated); null: any region.</param>
    /// <param name="policyPrincipals">Binds key policy principals to unique ids (the host's identity store); null: a domain
    /// without identities, where every key policy principal matches by its ARN.</param>
    public KmsDomain(RecordStore store, KmsEnvironment environment, IReadOnlySet<string>? servedRegions = null, IKeyPolicyPrincipals? policyPrincipals = null)
    {
        policyPrincipals ??= UnboundKeyPolicyPrincipals.Instance;
        Environment = environment;
        Keys = new KeyRepository(store);
        Aliases = new AliasRepository(store);
        Resolver = new KeyResolver(Keys, Aliases, environment);
        KeyManager = new KeyManager(Keys, Resolver, environment, policyPrincipals);
        Crypto = new CryptoOperations(Keys, Resolver, environment);
        Signing = new SigningOperations(Resolver);
        Macs = new MacOperations(Resolver);
        KeyAgreement = new KeyAgreementOperations(Resolver);
        AliasManager = new AliasManager(store, Aliases, Resolver, environment);
        TagManager = new TagManager(KeyManager, Resolver);
        Rotation = new RotationManager(KeyManager, Resolver, environment);
        RotationScheduler = new RotationScheduler(Keys, Rotation, environment);
        Grants = new GrantRepository(store);
        GrantManager = new GrantManager(store, Grants, Resolver, environment);
        Imports = new KeyImportManager(KeyManager, Keys, environment);
        Usage = new KeyUsageTracker(store, Resolver, environment);
        DeletionSweeper = new DeletionSweeper(store, Keys, Aliases, Grants, Usage, environment);
        Policies = new KeyPolicyManager(KeyManager, Resolver, policyPrincipals);
        MultiRegion = new MultiRegionKeyManager(Keys, Resolver, environment, servedRegions, policyPrincipals);
    }

    public KmsEnvironment Environment { get; }
    public KeyRepository Keys { get; }
    public AliasRepository Aliases { get; }
    public KeyResolver Resolver { get; }
    public KeyManager KeyManager { get; }
    public CryptoOperations Crypto { get; }
    public SigningOperations Signing { get; }
    public MacOperations Macs { get; }
    public KeyAgreementOperations KeyAgreement { get; }
    public AliasManager AliasManager { get; }
    public TagManager TagManager { get; }
    public RotationManager Rotation { get; }
    public RotationScheduler RotationScheduler { get; }
    public DeletionSweeper DeletionSweeper { get; }
    public KeyPolicyManager Policies { get; }
    public GrantRepository Grants { get; }
    public GrantManager GrantManager { get; }
    public KeyUsageTracker Usage { get; }
    public KeyImportManager Imports { get; }
    public MultiRegionKeyManager MultiRegion { get; }
}
