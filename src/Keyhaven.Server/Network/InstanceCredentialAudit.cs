using Keyhaven.Audit.Events;
using Keyhaven.Identity.Sessions;
using Keyhaven.Server.Audit;

namespace Keyhaven.Server.Network;

/// <summary>
/// The audit event of role credentials the instance-metadata service issues to a workload, which is not a request
/// through the pipeline. As CloudTrail records an instance profile's credentials: an STS <c>AssumeRole</c> made by
/// the EC2 service (<c>userIdentity.type</c> <c>AWSService</c>, <c>invokedBy</c> <c>ec2.amazonaws.com</c>), naming the
/// role and the session (the instance id), with the new access key id and expiry; never the secret access key or the
/// session token. Pure.
/// </summary>
internal static class InstanceCredentialAudit
{
    public const string EventSource = "sts.amazonaws.com";
    public const string EventName = "AssumeRole";
    public const string InvokedBy = "ec2.amazonaws.com";

    public static AuditEvent Create(DateTimeOffset now, string region, NetworkConfiguration.Workload workload, AssumedRole issued)
    {
        return new AuditEvent
        {
            UserIdentity = new AuditUserIdentity { Type = "AWSService", InvokedBy = InvokedBy },
            EventTime = now,
            EventSource = EventSource,
            EventName = EventName,
            AwsRegion = region,
            SourceIPAddress = InvokedBy,
            UserAgent = InvokedBy,
            RequestParameters = AuditJson.Object(writer =>
            {
                writer.WriteString("roleArn", workload.RoleArn);
                writer.WriteString("roleSessionName", workload.InstanceId);
            }),
            ResponseElements = AuditJson.Object(writer =>
            {
                writer.WriteStartObject("credentials");
                writer.WriteString("accessKeyId", issued.Credentials.AccessKeyId);
                writer.WriteString("expiration", issued.Credentials.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteEndObject();
                writer.WriteStartObject("assumedRoleUser");
                writer.WriteString("assumedRoleId", issued.AssumedRoleId);
                writer.WriteString("arn", issued.Arn);
                writer.WriteEndObject();
            }),
            RequestID = Guid.NewGuid().ToString("D"),
            EventID = Guid.NewGuid().ToString("D"),
            ReadOnly = true,
            Resources = [new AuditResource(workload.RoleArn, workload.RoleAccount, "AWS::IAM::Role")],
            EventType = "AwsServiceEvent",
            RecipientAccountId = workload.RoleAccount,
        };
    }
}
