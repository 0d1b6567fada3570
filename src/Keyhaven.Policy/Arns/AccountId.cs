namespace Keyhaven.Policy.Arns;

/// <summary>A twelve-digit AWS account id.</summary>
public readonly record struct AccountId
{
    private readonly string? _value;

    private AccountId(string value) => _value = value;

    /// <summary>The twelve digits.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary><see langword="true"/> for <c>default(AccountId)</c>.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Accepts exactly twelve ASCII digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out AccountId id)
    {
        id = default;
        if (text.Length != 12)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        id = new AccountId(text.ToString());
        return true;
    }

    /// <summary>Parses twelve digits.</summary>
    /// <exception cref="FormatException">The text is not exactly twelve digits.</exception>
    public static AccountId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"`{text}` is not an AWS account id (expected 12 digits).");

    /// <summary>The ARN of the account principal, <c>arn:aws:iam::ACCOUNT:root</c>.</summary>
    public string ToRootArn(string partition = "aws") => $"arn:{partition}:iam::{Value}:root";

    /// <inheritdoc/>
    public override string ToString() => Value;
}
