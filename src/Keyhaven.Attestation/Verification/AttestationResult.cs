using Keyhaven.Attestation.Nitro;

namespace Keyhaven.Attestation.Verification;

/// <summary>The outcome of verifying one attestation document: the document when it is valid, else what failed and why.</summary>
public sealed record AttestationResult
{
    public required AttestationFailure Failure { get; init; }

    /// <summary>A human-readable reason (empty when valid).</summary>
    public string Reason { get; init; } = "";

    /// <summary>The parsed document: set when valid, and also when parsing succeeded but a later check failed.</summary>
    public AttestationDocument? Document { get; init; }

    /// <summary>Subjects of the chain, leaf first, when the document parsed.</summary>
    public IReadOnlyList<string> ChainSubjects { get; init; } = [];

    /// <summary>True when the document chains to a development root: it proves nothing about real hardware.</summary>
    public bool IsDevelopment { get; init; }

    public bool IsValid => Failure == AttestationFailure.None;

    internal static AttestationResult Fail(AttestationFailure failure, string reason, AttestationDocument? document = null, IReadOnlyList<string>? chain = null) =>
        new() { Failure = failure, Reason = reason, Document = document, ChainSubjects = chain ?? [] };
}
