namespace Keyhaven.Policy.Matching;

/// <summary>How a policy string is turned into a pattern.</summary>
[Flags]
internal enum PatternSyntax
{
    /// <summary>Everything literal.</summary>
    None = 0,

    /// <summary><c>*</c> and <c>?</c> are wildcards.</summary>
    Wildcards = 1,

    /// <summary><c>${...}</c> are policy variables (version 2012-10-17 only).</summary>
    Variables = 2,

    /// <summary>Characters compare case-insensitively (ordinal, invariant upper-casing).</summary>
    IgnoreCase = 4,
}
