using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Kms.Accounts;

/// <summary>A twelve-digit AWS-style account id.</summary>
public readonly record struct AccountId
{
    private AccountId(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out AccountId accountId)
    {
        accountId = default;
        if (text is not { Length: 12 } || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        accountId = new AccountId(text);
        return true;
    }

    /// <exception cref="FormatException"><paramref name="text"/> is not twelve digits.</exception>
    public static AccountId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"`{text}` is not a twelve-digit account id.");

    public override string ToString() => Value;
}
