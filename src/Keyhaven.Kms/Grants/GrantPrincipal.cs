using System.Text.RegularExpressions;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Grants;

/// <summary>Checks the principals a grant names (grantee, retiring principal).</summary>
public static partial class GrantPrincipal
{
    public const int MaxLength = 256;

    /// <summary>The model's PrincipalIdType: 1–256 characters of <c>[\w+=,.@:/-]</c>.</summary>
    [GeneratedRegex(@"^[\w+=,.@:/-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();

    /// <summary>An IAM or STS principal ARN: account root, user, role, federated user, assumed-role session.</summary>
    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:(iam::[0-9]{12}:(root|user/.+|role/.+|federated-user/.+)|sts::[0-9]{12}:(assumed-role/[^/]+/.+|federated-user/.+))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalArn();

    /// <summary>The model's ServicePrincipalType (<c>service.amazonaws.com</c>).</summary>
    [GeneratedRegex(@"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex ServicePrincipal();

    /// <summary>Checks the syntax of a principal member (also used for list filters).</summary>
    /// <exception cref="KmsException">ValidationException: empty, too long or characters outside the model's pattern.</exception>
    public static void EnsureSyntax(string? principal, string member)
    {
        if (principal is not { Length: >= 1 and <= MaxLength })
        {
            KmsErrors.Validation(member, $"Member must have length between 1 and {MaxLength}");
        }

        if (!Syntax().IsMatch(principal))
        {
            KmsErrors.Validation(member, @"Member must satisfy regular expression pattern: ^[\w+=,.@:/-]+$");
        }
    }

    /// <summary>Checks a principal a grant names: an AWS principal ARN or a service principal.</summary>
    /// <exception cref="KmsException">ValidationException for bad syntax; InvalidArnException for anything else that is not a principal.</exception>
    public static void EnsureValid(string? principal, string member)
    {
        EnsureSyntax(principal, member);
        if (!PrincipalArn().IsMatch(principal!) && !ServicePrincipal().IsMatch(principal!))
        {
            KmsErrors.Throw(KmsErrorCode.InvalidArnException, $"`{principal}` is not a valid AWS principal ARN or service principal.");
        }
    }
}
