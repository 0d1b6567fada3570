namespace Keyhaven.Policy.Documents;

/// <summary>The <c>Effect</c> element of a statement.</summary>
public enum PolicyEffect
{
    /// <summary><c>Allow</c>.</summary>
    Allow,

    /// <summary><c>Deny</c>.</summary>
    Deny,
}
