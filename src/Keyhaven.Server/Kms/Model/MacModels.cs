// Wire shapes of GenerateMac and VerifyMac (kms-2014-11-01).
namespace Keyhaven.Server.Kms.Model;

internal sealed record GenerateMacRequest(byte[]? Message, string? KeyId, string? MacAlgorithm, List<string>? GrantTokens, bool? DryRun);

internal sealed record GenerateMacResponse(byte[] Mac, string MacAlgorithm, string KeyId);

internal sealed record VerifyMacRequest(byte[]? Message, string? KeyId, string? MacAlgorithm, byte[]? Mac, List<string>? GrantTokens, bool? DryRun);

internal sealed record VerifyMacResponse(string KeyId, bool MacValid, string MacAlgorithm);
