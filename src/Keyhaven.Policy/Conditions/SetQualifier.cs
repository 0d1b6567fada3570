namespace Keyhaven.Policy.Conditions;

/// <summary>The set operator prefix of a condition operator, for multi-valued keys.</summary>
public enum SetQualifier
{
    /// <summary>No prefix: the key is compared value by value; any request value may match.</summary>
    None,

    /// <summary><c>ForAllValues:</c> every request value must match; true when the key is missing or empty.</summary>
    ForAllValues,

    /// <summary><c>ForAnyValue:</c> at least one request value must match; false when the key is missing or empty.</summary>
    ForAnyValue,
}
