using System.Collections.Immutable;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Grants;

/// <summary>
/// A grant's encryption-context constraint: the request's context must equal (<see cref="EncryptionContextEquals"/>)
/// or include (<see cref="EncryptionContextSubset"/>) the given pairs. Exactly one of the two is set. Same shape as
/// <c>Keyhaven.Policy.Evaluation.GrantConstraints</c>, which evaluates it.
/// </summary>
public sealed record GrantConstraints
{
    /// <summary>AWS KMS: each constraint holds up to 8 pairs.</summary>
    public const int MaxPairs = 8;

    /// <summary>AWS KMS: a constraint value is at most 384 characters.</summary>
    public const int MaxValueLength = 384;

    private GrantConstraints(ImmutableSortedDictionary<string, string>? equals, ImmutableSortedDictionary<string, string>? subset)
    {
        EncryptionContextEquals = equals;
        EncryptionContextSubset = subset;
    }

    public IReadOnlyDictionary<string, string>? EncryptionContextEquals { get; }

    public IReadOnlyDictionary<string, string>? EncryptionContextSubset { get; }

    /// <summary>Checks the Constraints member; null when no constraint is given.</summary>
    /// <exception cref="KmsException">ValidationException for both kinds at once, too many pairs, an empty key or a long value.</exception>
    // spec: API_GrantConstraints.html
    public static GrantConstraints? From(IReadOnlyDictionary<string, string>? equals, IReadOnlyDictionary<string, string>? subset)
    {
        if (equals is not null && subset is not null)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                "A grant constraint can have EncryptionContextEquals or EncryptionContextSubset, not both.");
        }

        if (equals is null && subset is null)
        {
            return null;
        }

        return equals is not null
            ? new GrantConstraints(Check(equals, "constraints.encryptionContextEquals"), null)
            : new GrantConstraints(null, Check(subset!, "constraints.encryptionContextSubset"));
    }

    /// <summary>Internal: rebuilds a stored constraint without re-validating it.</summary>
    internal static GrantConstraints FromStored(IReadOnlyDictionary<string, string>? equals, IReadOnlyDictionary<string, string>? subset) =>
        new(equals?.ToImmutableSortedDictionary(StringComparer.Ordinal), subset?.ToImmutableSortedDictionary(StringComparer.Ordinal));

    /// <summary>Same kind and same pairs (keys and values compared ordinally).</summary>
    public static bool AreSame(GrantConstraints? a, GrantConstraints? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && SamePairs(a.EncryptionContextEquals, b.EncryptionContextEquals) && SamePairs(a.EncryptionContextSubset, b.EncryptionContextSubset));

    private static ImmutableSortedDictionary<string, string> Check(IReadOnlyDictionary<string, string> pairs, string member)
    {
        if (pairs.Count > MaxPairs)
        {
            KmsErrors.Validation(member, $"Member must have at most {MaxPairs} pairs");
        }

        foreach (var (key, value) in pairs)
        {
            if (string.IsNullOrEmpty(key))
            {
                KmsErrors.Validation(member, "Member keys must have length greater than or equal to 1");
            }

            if (value is null || value.Length > MaxValueLength)
            {
                KmsErrors.Validation(member, $"Member values must have length less than or equal to {MaxValueLength}");
            }
        }

        return pairs.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    private static bool SamePairs(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal));
    }
}
