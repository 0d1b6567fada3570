using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Aliases;

/// <summary>Rules for alias names, as AWS KMS documents them.</summary>
public static class AliasName
{
    public const string Prefix = "alias/";
    public const string ReservedPrefix = "alias/aws/";
    public const int MaxLength = 256;

    public static bool HasValidSyntax(string name) =>
        name.Length is > 6 and <= MaxLength && name.StartsWith(Prefix, StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '_' or '-');

    /// <summary>Checks a name a caller wants to create or point elsewhere.</summary>
    /// <exception cref="KmsException">Syntax (ValidationException) or reserved prefix (NotAuthorizedException as AWS: InvalidAliasNameException).</exception>
    public static void EnsureAssignable(string name, string member)
    {
        if (name.Length is 0 or > MaxLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '_' or '-'))
        {
            KmsErrors.Validation(member, $"Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and {MaxLength}");
        }

        if (!HasValidSyntax(name))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidAliasNameException, $"Alias `{name}` must begin with `alias/` and name something after it.");
        }

        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidAliasNameException, $"Alias `{name}` uses the prefix `alias/aws/`, which is reserved for AWS managed keys.");
        }
    }
}
