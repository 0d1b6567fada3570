// Wire shapes of Sign, Verify and GetPublicKey (kms-2014-11-01). Blobs are byte arrays, base64 on the wire.
namespace Keyhaven.Server.Kms.Model;

internal sealed record SignRequest(string? KeyId, byte[]? Message, string? MessageType, List<string>? GrantTokens, string? SigningAlgorithm, bool? DryRun);

internal sealed record SignResponse(string KeyId, byte[] Signature, string SigningAlgorithm);

internal sealed record VerifyRequest(string? KeyId, byte[]? Message, string? MessageType, byte[]? Signature, string? SigningAlgorithm,
    List<string>? GrantTokens, bool? DryRun);

internal sealed record VerifyResponse(string KeyId, bool SignatureValid, string SigningAlgorithm);

internal sealed record GetPublicKeyResponse
{
    public required string KeyId { get; init; }
    public required byte[] PublicKey { get; init; }
    public required string CustomerMasterKeySpec { get; init; }
    public required string KeySpec { get; init; }
    public required string KeyUsage { get; init; }
    public List<string>? EncryptionAlgorithms { get; init; }
    public List<string>? SigningAlgorithms { get; init; }
    public List<string>? KeyAgreementAlgorithms { get; init; }
}
