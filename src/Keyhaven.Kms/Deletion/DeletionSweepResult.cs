namespace Keyhaven.Kms.Deletion;

/// <summary>What one pass of the <see cref="DeletionSweeper"/> did.</summary>
/// <param name="Deleted">How many keys were deleted.</param>
/// <param name="Withheld">
/// The ARNs of keys that were due but not deleted because they are multi-Region primary keys that still have replica
/// keys (AWS never deletes such a key). No API leads there; the host logs them so that an operator can look.
/// </param>
public sealed record DeletionSweepResult(int Deleted, IReadOnlyList<string> Withheld);
