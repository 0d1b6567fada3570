namespace Keyhaven.Policy.Evaluation;

/// <summary>
/// An authorization decision: the outcome, the layer that decided and the statement responsible.
/// A value type so that <see cref="PolicyEvaluator.Evaluate"/> allocates nothing.
/// </summary>
public readonly record struct Decision(DecisionOutcome Outcome, DecisionLayer Layer, StatementReference? Statement)
{
    /// <summary><see langword="true"/> only for <see cref="DecisionOutcome.Allowed"/>.</summary>
    public bool IsAllowed => Outcome == DecisionOutcome.Allowed;

    /// <summary>
    /// An AWS-style message, e.g. "User: ARN is not authorized to perform: kms:Decrypt on resource: ARN because no
    /// resource-based policy allows the kms:Decrypt action".
    /// </summary>
    public string FormatMessage(AuthorizationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string who = $"User: {request.Principal.Arn}";
        string what = $"perform: {request.Action} on resource: {request.Resource.Arn}";
        return Outcome switch
        {
            DecisionOutcome.Allowed => $"{who} is authorized to {what} by {Describe(Layer)}" + (Statement is { } s ? $" ({s})" : ""),
            DecisionOutcome.ExplicitlyDenied => $"{who} is not authorized to {what} with an explicit deny in {Article(Layer)} {Describe(Layer)}",
            _ => $"{who} is not authorized to {what} because no {Describe(Layer)} allows the {request.Action} action",
        };
    }

    private static string Article(DecisionLayer layer) => layer is DecisionLayer.IdentityPolicy or DecisionLayer.AccountRoot ? "an" : "a";

    private static string Describe(DecisionLayer layer) => layer switch
    {
        DecisionLayer.ServiceControlPolicy => "service control policy",
        DecisionLayer.ResourceControlPolicy => "resource control policy",
        DecisionLayer.VpcEndpointPolicy => "VPC endpoint policy",
        DecisionLayer.ResourcePolicy => "resource-based policy",
        DecisionLayer.IdentityPolicy => "identity-based policy",
        DecisionLayer.PermissionsBoundary => "permissions boundary",
        DecisionLayer.SessionPolicy => "session policy",
        DecisionLayer.Grant => "grant",
        DecisionLayer.AccountRoot => "account root user",
        _ => "policy",
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Outcome} by {Layer}" + (Statement is { } s ? $" ({s})" : "");
}
