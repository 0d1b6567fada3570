using Keyhaven.Kms.Accounts;
using Keyhaven.Server.Authentication;

namespace Keyhaven.Server.Authorization;

/// <summary>
/// Until key policies and IAM are enforced (a later step), only the deployment's own account may call, and it may
/// call every operation on its own keys. Anything else is denied.
/// </summary>
public sealed class AccountOwnerAuthorizer(AccountId owner) : IRequestAuthorizer
{
    public string? Authorize(CallerIdentity caller, string operation) =>
        caller.Account == owner ? null : $"User: {caller.Arn} is not authorized to perform: kms:{operation} because it does not belong to account {owner}.";
}
