using Keyhaven.Policy.Arns;

namespace Keyhaven.Policy.Evaluation;

/// <summary>The resource a request acts on: its ARN (or <c>*</c>) and owning account.</summary>
public sealed class RequestResource
{
    private RequestResource(string arn, AccountId account)
    {
        Arn = arn;
        Account = account;
        IsKmsKey = Arns.Arn.TryParse(arn, out var parsed) && parsed.Service.SequenceEqual("kms") && parsed.Resource.StartsWith("key/");
    }

    /// <summary>The resource ARN as matched against <c>Resource</c> elements.</summary>
    public string Arn { get; }

    /// <summary>The account that owns the resource (resource-based policies and RCPs live there).</summary>
    public AccountId Account { get; }

    /// <summary><see langword="true"/> when the ARN is a KMS key's (<c>kms</c>, <c>key/…</c>): the KMS key-policy rule applies.</summary>
    public bool IsKmsKey { get; }

    /// <summary>
    /// Creates a resource. When <paramref name="account"/> is empty, the account is taken from the ARN.
    /// </summary>
    /// <exception cref="ArgumentException">No account is given and the ARN carries none.</exception>
    public static RequestResource Create(string arn, AccountId account = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(arn);
        if (account.IsEmpty)
        {
            if (!Arns.Arn.TryParse(arn, out var parsed) || !AccountId.TryParse(parsed.Account, out account))
            {
                throw new ArgumentException($"Resource `{arn}` has no account id; pass the owning account explicitly.", nameof(account));
            }
        }

        return new RequestResource(arn, account);
    }

    /// <inheritdoc/>
    public override string ToString() => Arn;
}
