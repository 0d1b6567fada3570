namespace Keyhaven.Identity.Organizations;

/// <summary>The outcome of a CreateAccount request (<c>car-</c> id). State is <c>SUCCEEDED</c> or <c>FAILED</c> (with a reason): creation completes at once.</summary>
public sealed record CreateAccountStatus(string Id, string AccountName, string State, DateTimeOffset RequestedTimestamp, DateTimeOffset? CompletedTimestamp,
    string? AccountId, string? FailureReason);
