namespace Keyhaven.Server.Governance;

/// <summary>What the evaluation says about one principal using a key.</summary>
public enum KeyAccessOutcome
{
    /// <summary>Allowed for a request that carries nothing in particular (no encryption context, any network path).</summary>
    Allowed,

    /// <summary>Denied for such a request, but allowed for a request that meets the listed conditions.</summary>
    AllowedWithConditions,

    /// <summary>Denied whatever the request carries (as far as the policies' own condition values go).</summary>
    Denied,
}
