using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.MultiRegion;

/// <summary>The model's <c>RegionType</c> (ReplicateKey's ReplicaRegion, UpdatePrimaryRegion's PrimaryRegion): 1–32 characters matching <c>^([a-z]+-){2,3}\d+$</c>.</summary>
public static partial class RegionName
{
    public const int MaxLength = 32;

    /// <summary>True when <paramref name="region"/> satisfies RegionType (whether or not this deployment serves it).</summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? region) =>
        !string.IsNullOrEmpty(region) && region.Length <= MaxLength && Pattern().IsMatch(region);

    /// <summary>Checks a request member of type RegionType.</summary>
    /// <exception cref="KmsException">ValidationException, in AWS's wording, when it is missing or malformed.</exception>
    public static string Validate(string? region, string member)
    {
        if (string.IsNullOrEmpty(region))
        {
            KmsErrors.Validation(member, "Member must not be null");
        }

        if (!IsWellFormed(region))
        {
            KmsErrors.Validation(member, "Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$");
        }

        return region;
    }

    [GeneratedRegex(@"^([a-z]+-){2,3}\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
