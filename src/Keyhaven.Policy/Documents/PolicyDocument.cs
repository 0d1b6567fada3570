namespace Keyhaven.Policy.Documents;

/// <summary>A parsed IAM policy document. Produced by <see cref="PolicyParser"/>, printed by <see cref="PolicyWriter"/>.</summary>
public sealed record PolicyDocument
{
    /// <summary>The <c>Version</c> element.</summary>
    public PolicyVersion Version { get; init; }

    /// <summary>The optional <c>Id</c> element.</summary>
    public string? Id { get; init; }

    /// <summary>The statements, in document order (a single statement object becomes a one-element list).</summary>
    public ValueList<PolicyStatement> Statements { get; init; } = ValueList<PolicyStatement>.Empty;

    /// <summary><see langword="true"/> when policy variables (<c>${...}</c>) are substituted (version 2012-10-17).</summary>
    public bool SupportsVariables => Version == PolicyVersion.V2012_10_17;
}
