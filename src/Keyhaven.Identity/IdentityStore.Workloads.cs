using Keyhaven.Identity.Errors;
using Keyhaven.Identity.Principals;
using Keyhaven.Identity.Sessions;
using Keyhaven.Identity.Storage;
using Keyhaven.Policy.Arns;
using Keyhaven.Policy.Context;
using Keyhaven.Policy.Evaluation;

namespace Keyhaven.Identity;

public sealed partial class IdentityStore
{
    /// <summary>The service principal that assumes a workload's role (AWS: EC2 for instance profiles).</summary>
    public const string WorkloadServicePrincipal = "ec2.amazonaws.com";

    /// <summary>
    /// Issues the role session of a workload (an instance with a role, as the instance-metadata service does): the
    /// role's trust policy must allow <c>sts:AssumeRole</c> for the service principal <c>ec2.amazonaws.com</c>; the
    /// session is named after the instance, lasts one hour (or the role's maximum when shorter), and carries the
    /// instance's ARN, VPC and private address into every request made with it (<c>ec2:SourceInstanceARN</c>,
    /// <c>aws:ec2InstanceSourceVpc</c>, <c>aws:ec2InstanceSourcePrivateIPv4</c>).
    /// </summary>
    /// <exception cref="IdentityException"><c>AccessDenied</c> when the role does not exist or does not trust EC2.</exception>
    public async Task<AssumedRole> AssumeRoleForWorkloadAsync(string roleArn, string instanceId, string instanceArn, string vpcId, string privateIp, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var denied = new IdentityException(IdentityErrorCode.AccessDenied, $"{WorkloadServicePrincipal} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        if (!Arn.TryParse(roleArn, out var arn) || !AccountId.TryParse(arn.Account, out var account))
        {
            throw denied;
        }

        var role = await FindRoleAsync(account.Value, arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..].ToString(), cancellationToken);
        if (role is null || role.Arn != roleArn || !_compiled.TryGetOrCompile(role.AssumeRolePolicyDocument, role.Arn + " trust policy", out var trustPolicy, out _))
        {
            throw denied;
        }

        var request = new AuthorizationRequest
        {
            Principal = PrincipalIdentity.ForService(WorkloadServicePrincipal), Action = "sts:AssumeRole", Resource = RequestResource.Create(role.Arn),
            Context = RequestContext.From([new("sts:RoleSessionName", new ContextValues(instanceId))]),
        };
        if (!PolicyEvaluator.Evaluate(request, new PolicySet { ResourcePolicy = trustPolicy, ResourcePolicyMustAllow = true }).IsAllowed)
        {
            throw denied;
        }

        var session = new SessionDocument
        {
            Kind = nameof(PrincipalKind.AssumedRole), Account = role.Account,
            Arn = $"arn:aws:sts::{role.Account}:assumed-role/{role.RoleName}/{instanceId}",
            UserId = role.RoleId + ":" + instanceId, RoleArn = role.Arn, RoleName = role.RoleName, SessionName = instanceId,
            Tags = role.Tags.Select(t => new TagDocument { Key = t.Key, Value = t.Value }).ToList(),
            Ec2SourceInstanceArn = instanceArn, Ec2InstanceSourceVpc = vpcId, Ec2InstanceSourcePrivateIPv4 = privateIp,
        };
        var credentials = await CreateSessionAsync(session, now, now.AddSeconds(Math.Min(DefaultAssumeRoleDuration, role.MaxSessionDuration)), cancellationToken);
        return new AssumedRole(credentials, session.UserId, session.Arn, null, null);
    }
}
