using Keyhaven.Kms.Accounts;

namespace Keyhaven.Server.Authentication;

/// <summary>The principal an access key belongs to.</summary>
public sealed record CallerIdentity(AccountId Account, string Arn, string UserId);
