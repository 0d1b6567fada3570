namespace Keyhaven.Policy.Evaluation;

/// <summary>Names one statement: the policy's name, the statement's Sid and index, and the organization level for SCPs/RCPs.</summary>
/// <param name="PolicyName">The policy name (or grant id for <see cref="DecisionLayer.Grant"/>).</param>
/// <param name="Sid">The statement's Sid, if any.</param>
/// <param name="Index">The zero-based statement index in the document.</param>
/// <param name="OrgIdentifier">The root/OU/account id for SCPs and RCPs, else null.</param>
public readonly record struct StatementReference(string PolicyName, string? Sid, int Index, string? OrgIdentifier = null)
{
    /// <inheritdoc/>
    public override string ToString() =>
        (OrgIdentifier is null ? "" : OrgIdentifier + "/") + PolicyName + "#" + (Sid ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
