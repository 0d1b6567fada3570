using System.Text.RegularExpressions;
using Keyhaven.Identity.Organizations;

namespace Keyhaven.Server.Organizations;

/// <summary>
/// The id patterns of the Organizations model, checked at the edge so a malformed id is <c>InvalidInputException</c>
/// (<c>INVALID_PATTERN</c>, as AWS answers) rather than a not-found error.
/// </summary>
internal static partial class OrganizationIdPatterns
{
    // spec: organizations-2016-11-28.json shapes PolicyId, RootId, OrganizationalUnitId, AccountId, CreateAccountRequestId, PolicyTargetId, ParentId, ChildId
    [GeneratedRegex(@"^p-[0-9a-zA-Z_]{8,128}$")]
    public static partial Regex Policy();

    [GeneratedRegex(@"^r-[0-9a-z]{4,32}$")]
    public static partial Regex Root();

    [GeneratedRegex(@"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")]
    public static partial Regex OrganizationalUnit();

    [GeneratedRegex(@"^\d{12}$")]
    public static partial Regex Account();

    [GeneratedRegex(@"^car-[a-z0-9]{8,32}$")]
    public static partial Regex CreateAccountRequest();

    [GeneratedRegex(@"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")]
    public static partial Regex Parent();

    [GeneratedRegex(@"^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")]
    public static partial Regex Child();

    [GeneratedRegex(@"^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")]
    public static partial Regex Target();

    /// <summary>Returns <paramref name="value"/> when it matches, else throws <c>InvalidInputException</c> naming the member.</summary>
    public static string Check(string value, Regex pattern, string member) =>
        value.Length <= 130 && pattern.IsMatch(value) ? value
            : throw new OrganizationException(OrganizationErrorCode.InvalidInputException,
                $"`{value}` at `{member}` does not match the pattern `{pattern}`.", member == "TargetId" ? "INVALID_PATTERN_TARGET_ID" : "INVALID_PATTERN");
}
