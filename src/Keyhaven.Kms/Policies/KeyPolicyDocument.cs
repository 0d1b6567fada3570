using System.Text;
using System.Text.Json;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Errors;

namespace Keyhaven.Kms.Policies;

/// <summary>Key policy text: the default policy KMS attaches, and the checks a stored policy must pass.</summary>
public static class KeyPolicyDocument
{
    /// <summary>The key policy size quota (32 KB).</summary>
    public const int MaxLength = 32768;

    /// <summary>The only policy name a key has.</summary>
    public const string DefaultName = "default";

    /// <summary>The default key policy: it gives the account (and so IAM policies in it) full access to the key.</summary>
    public static string Default(AccountId account) =>
        "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n"
        + "    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n"
        + $"    \"Principal\" : {{\n      \"AWS\" : \"arn:aws:iam::{account}:root\"\n    }},\n"
        + "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";

    /// <summary>Checks a policy given to CreateKey, PutKeyPolicy or ReplicateKey.</summary>
    /// <exception cref="KmsException">ValidationException for characters outside the model's PolicyType pattern;
    /// LimitExceededException over 32 KB; MalformedPolicyDocumentException when it is not a policy document.</exception>
    public static void Validate(string policy)
    {
        if (!HasPolicyTypeCharacters(policy))
        {
            KmsErrors.Validation("policy", @"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+");
        }

        if (Encoding.UTF8.GetByteCount(policy) > MaxLength)
        {
            KmsErrors.Throw(KmsErrorCode.LimitExceededException, $"The key policy is larger than the {MaxLength}-byte quota.");
        }

        try
        {
            using var document = JsonDocument.Parse(policy);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Malformed("The policy must be a JSON object.");
            }

            if (!root.TryGetProperty("Statement", out var statements) || statements.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
            {
                Malformed("The policy must have a Statement (an object or an array).");
            }

            if (root.TryGetProperty("Version", out var version) && version.GetString() is not ("2012-10-17" or "2008-10-17"))
            {
                Malformed("The policy Version must be `2012-10-17` or `2008-10-17`.");
            }

            foreach (var statement in statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToArray() : [statements])
            {
                if (statement.ValueKind != JsonValueKind.Object
                    || !statement.TryGetProperty("Effect", out var effect) || effect.GetString() is not ("Allow" or "Deny"))
                {
                    Malformed("Every statement needs an Effect of `Allow` or `Deny`.");
                }

                if (!statement.TryGetProperty("Principal", out _) && !statement.TryGetProperty("NotPrincipal", out _))
                {
                    Malformed("Every statement in a key policy needs a Principal.");
                }

                if (!statement.TryGetProperty("Action", out _) && !statement.TryGetProperty("NotAction", out _))
                {
                    Malformed("Every statement needs an Action or NotAction.");
                }

                if (!statement.TryGetProperty("Resource", out _) && !statement.TryGetProperty("NotResource", out _))
                {
                    Malformed("Every statement needs a Resource or NotResource.");
                }
            }
        }
        catch (JsonException)
        {
            Malformed("The policy is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            Malformed("The policy has a member of the wrong type.");
        }
    }

    /// <summary>True when every character is a tab, line feed, carriage return or in U+0020–U+00FF.</summary>
    // spec: kms/2014-11-01 PolicyType ("pattern": "[\u0009\u000A\u000D\u0020-\u00FF]+")
    private static bool HasPolicyTypeCharacters(string policy)
    {
        foreach (var c in policy)
        {
            if (c is not ('\t' or '\n' or '\r' or (>= '\u0020' and <= '\u00FF')))
            {
                return false;
            }
        }

        return true;
    }

    private static void Malformed(string message) => KmsErrors.Throw(KmsErrorCode.MalformedPolicyDocumentException, message);
}
