using Keyhaven.Identity.Errors;
using Keyhaven.Policy.Documents;
using Keyhaven.Policy.Validation;

namespace Keyhaven.Identity;

/// <summary>Checks of public input, with AWS's error codes and messages that put the input in backticks.</summary>
internal static class IdentityValidation
{
    /// <summary>IAM user, role and policy names and STS session names: <c>[\w+=,.@-]</c> (ASCII word characters).</summary>
    public static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '=' or ',' or '.' or '@' or '-';

    public static void Name(string? value, string member, int min, int max)
    {
        if (value is null || value.Length < min || value.Length > max || !value.All(IsNameCharacter))
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{value}` at `{member}` failed to satisfy constraint: Member must have length between {min} and {max} and match [\\w+=,.@-]+.");
        }
    }

    /// <summary>IAM paths: <c>/</c>, or <c>/</c> + printable ASCII + <c>/</c>, at most 512 characters.</summary>
    public static string Path(string? value)
    {
        if (value is null)
        {
            return "/";
        }

        var ok = value.Length is >= 1 and <= 512 && value[0] == '/' && value[^1] == '/' && value.All(c => c is >= '\u0021' and <= '\u007E');
        if (!ok)
        {
            throw new IdentityException(IdentityErrorCode.ValidationError,
                $"1 validation error detected: Value `{value}` at `path` failed to satisfy constraint: Member must begin and end with `/`, contain only printable ASCII and be at most 512 characters.");
        }

        return value;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Tags(IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        tags ??= [];
        if (tags.Count > 50)
        {
            throw new IdentityException(IdentityErrorCode.LimitExceeded, $"Cannot exceed quota for TagsPerEntity: 50 (`{tags.Count}` tags given).");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in tags)
        {
            if (key.Length is < 1 or > 128 || value.Length > 256)
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Tag key `{key}` must be 1 to 128 characters and its value at most 256 characters.");
            }

            if (!seen.Add(key))
            {
                throw new IdentityException(IdentityErrorCode.ValidationError, $"Duplicate tag key `{key}`: tag keys are unique ignoring case.");
            }
        }

        return tags;
    }

    /// <summary>
    /// Validates a policy document as IAM does on input: a document over the IAM model's 131,072 characters is
    /// <c>ValidationError</c>; parse errors and the rules of its type are <c>MalformedPolicyDocument</c>; the per-type
    /// size quota (non-whitespace characters) is <c>LimitExceeded</c> for trust policies and checked in aggregate by the
    /// caller for inline policies.
    /// </summary>
    public static void Policy(string? document, PolicyType type, string what)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            throw new IdentityException(IdentityErrorCode.MalformedPolicyDocument, $"The {what} is empty.");
        }

        foreach (var finding in PolicyValidator.Validate(document, type, PolicyLimits.Iam))
        {
            if (finding.Type != FindingType.Error)
            {
                continue;
            }

            if (finding.IssueCode == "DOCUMENT_TOO_LONG")
            {
                // spec: aws-models/iam.json policyDocumentType (length 1..131072): a model constraint, checked before the document is read.
                throw new IdentityException(IdentityErrorCode.ValidationError,
                    $"1 validation error detected: Value at '{what}' failed to satisfy constraint: Member must have length less than or equal to {PolicyLimits.Iam.MaxDocumentChars}.");
            }

            if (finding.IssueCode == "POLICY_SIZE_EXCEEDED" && type != PolicyType.Trust)
            {
                continue; // inline policies are limited in aggregate per user/role (see NonWhitespaceLength)
            }

            throw new IdentityException(
                finding.IssueCode == "POLICY_SIZE_EXCEEDED" ? IdentityErrorCode.LimitExceeded : IdentityErrorCode.MalformedPolicyDocument,
                $"The {what} is not valid: {finding.Message} (at `{finding.Path}`).");
        }
    }

    /// <summary>IAM counts policy size without whitespace.</summary>
    public static int NonWhitespaceLength(string text) => text.Count(c => !char.IsWhiteSpace(c));
}
