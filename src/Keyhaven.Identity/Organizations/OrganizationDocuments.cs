using System.Text.Json.Serialization;

namespace Keyhaven.Identity.Organizations;

// The whole organization is one sealed record (`organizations/organization`): every change is one transaction over it,
// so attachments, moves and the default policies can never be half-applied.
internal sealed class OrganizationDocument
{
    public string Id { get; set; } = "";
    public string ManagementAccount { get; set; } = "";
    public string RootId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<string> EnabledPolicyTypes { get; set; } = [];
    public List<AccountDocument> Accounts { get; set; } = [];
    public List<UnitDocument> Units { get; set; } = [];
    public List<PolicyDocument> Policies { get; set; } = [];
    public Dictionary<string, List<string>> Attachments { get; set; } = [];
    public List<CreateAccountDocument> CreateAccountRequests { get; set; } = [];
}

internal sealed class AccountDocument
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string ParentId { get; set; } = "";
    public bool Created { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
}

internal sealed class UnitDocument
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string ParentId { get; set; } = "";
}

internal sealed class PolicyDocument
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public OrganizationPolicyType Type { get; set; }
    public string Content { get; set; } = "";
}

internal sealed class CreateAccountDocument
{
    public string Id { get; set; } = "";
    public string AccountName { get; set; } = "";
    public string State { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? AccountId { get; set; }
    public string? FailureReason { get; set; }
}

[JsonSerializable(typeof(OrganizationDocument))]
internal sealed partial class OrganizationJsonContext : JsonSerializerContext;
