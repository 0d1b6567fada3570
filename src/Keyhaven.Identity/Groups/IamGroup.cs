namespace Keyhaven.Identity.Groups;

/// <summary>An IAM group as IAM reports it.</summary>
public sealed record IamGroup(string GroupName, string Path, string GroupId, string Arn, DateTimeOffset CreateDate);
