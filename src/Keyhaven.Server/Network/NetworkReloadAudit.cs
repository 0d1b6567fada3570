using Keyhaven.Audit.Events;
using Keyhaven.Server.Audit;

namespace Keyhaven.Server.Network;

/// <summary>
/// The audit event of a network configuration reload (SIGHUP), which is not a request through the pipeline: an
/// <c>AwsServiceEvent</c> named <c>ReloadNetworkConfiguration</c> from <c>ec2.amazonaws.com</c> (the source of
/// <c>ModifyVpcEndpoint</c>, so one filter finds every change of an endpoint policy), made by the service itself
/// (<c>userIdentity.type</c> <c>AWSService</c>, invoked by <c>keyhaven</c>), naming the file and, for every endpoint
/// whose policy changed, the policy before and after (null: full access). A refused reload is recorded too, with
/// <c>errorCode</c> <c>InvalidConfiguration</c>. Pure.
/// </summary>
internal static class NetworkReloadAudit
{
    public const string EventName = "ReloadNetworkConfiguration";
    public const string EventSource = "ec2.amazonaws.com";
    public const string RefusedCode = "InvalidConfiguration";

    public static AuditEvent Create(DateTimeOffset now, string region, string deploymentAccount, NetworkConfiguration configuration, string? file, string trigger,
        IReadOnlyList<VpcEndpointPolicyChange>? changes, string? refusal)
    {
        var data = AuditJson.Object(writer =>
        {
            writer.WriteString("trigger", trigger);
            if (file is not null)
            {
                writer.WriteString("configurationFile", file);
            }

            writer.WriteStartArray("vpcEndpointPolicyChanges");
            foreach (var change in changes ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("vpcEndpointId", change.EndpointId);
                writer.WriteString("policyBefore", change.Before);
                writer.WriteString("policyAfter", change.After);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
        var resources = (changes ?? []).Select(c => configuration.VpcEndpoints.FirstOrDefault(e => e.Id == c.EndpointId) is { } endpoint
                && configuration.FindVpc(endpoint.VpcId) is { } vpc
                ? new AuditResource(VpcEndpointArn.Create(region, vpc.Account, endpoint.Id), vpc.Account, VpcEndpointArn.ResourceType)
                : null).OfType<AuditResource>().ToList();
        return new AuditEvent
        {
            UserIdentity = new AuditUserIdentity { Type = "AWSService", InvokedBy = "keyhaven" },
            EventTime = now,
            EventSource = EventSource,
            EventName = EventName,
            AwsRegion = region,
            SourceIPAddress = "keyhaven",
            UserAgent = "keyhaven",
            ErrorCode = refusal is null ? null : RefusedCode,
            ErrorMessage = refusal,
            AdditionalEventData = data,
            RequestID = Guid.NewGuid().ToString("D"),
            EventID = Guid.NewGuid().ToString("D"),
            ReadOnly = false,
            Resources = resources.Count == 0 ? null : resources,
            EventType = "AwsServiceEvent",
            RecipientAccountId = deploymentAccount,
        };
    }
}
