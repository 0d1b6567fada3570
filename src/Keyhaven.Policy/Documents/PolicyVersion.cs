namespace Keyhaven.Policy.Documents;

/// <summary>The policy language version (the <c>Version</c> element).</summary>
public enum PolicyVersion
{
    /// <summary>No <c>Version</c> element: AWS evaluates as 2008-10-17 (policy variables are literal text).</summary>
    Unspecified = 0,

    /// <summary><c>2008-10-17</c>: policy variables are not supported and are treated as literal text.</summary>
    V2008_10_17,

    /// <summary><c>2012-10-17</c>: the current version; policy variables are substituted.</summary>
    V2012_10_17,
}
