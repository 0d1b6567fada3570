using Keyhaven.Identity.Organizations;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    private OrganizationStore? _organizations;

    /// <summary>The deployment's AWS Organizations state over the same record store and random source. Thread-safe.</summary>
    public OrganizationStore Organizations =>
        LazyInitializer.EnsureInitialized(ref _organizations, () => new OrganizationStore(_store, this, _random))!;
}
