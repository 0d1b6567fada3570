namespace Keyhaven.Policy.Documents;

/// <summary>The key of an entry in a <c>Principal</c> / <c>NotPrincipal</c> object.</summary>
public enum PrincipalKind
{
    /// <summary><c>"AWS"</c>: account ids, account root ARNs, user, role, session ARNs, or <c>"*"</c>.</summary>
    Aws,

    /// <summary><c>"Service"</c>: service principals such as <c>logs.amazonaws.com</c>.</summary>
    Service,

    /// <summary><c>"Federated"</c>: identity providers (SAML provider ARNs, OIDC provider names).</summary>
    Federated,

    /// <summary><c>"CanonicalUser"</c>: accepted by the parser, never matched by the evaluator.</summary>
    CanonicalUser,
}
