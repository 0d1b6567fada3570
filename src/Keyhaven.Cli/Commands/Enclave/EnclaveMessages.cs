using System.Text.Json.Serialization;

namespace Keyhaven.Cli.Commands.Enclave;

/// <summary>
/// What a parent asks a development enclave, one JSON object per line: <c>Attest</c> (an attestation document, with the
/// parent's <see cref="Nonce"/> if any) or <c>DecryptData</c> (open <see cref="CiphertextForRecipient"/>, a sealed
/// AES-256 data key, and decrypt <see cref="Data"/> with it: nonce (12) | ciphertext | tag (16), AES-256-GCM).
/// </summary>
internal sealed record EnclaveRequest(string Operation, byte[]? Nonce = null, byte[]? CiphertextForRecipient = null, byte[]? Data = null)
{
    public const string Attest = "Attest", DecryptData = "DecryptData";
}

/// <summary>
/// The enclave's answer: the <see cref="Document"/>; or what the enclave computed from the plaintext it alone saw
/// (its SHA-256 and length; the plaintext never leaves); or an <see cref="Error"/>.
/// </summary>
internal sealed record EnclaveResponse(byte[]? Document = null, string? PlaintextSha256 = null, int? PlaintextLength = null, string? Error = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnclaveRequest))]
[JsonSerializable(typeof(EnclaveResponse))]
internal sealed partial class EnclaveJsonContext : JsonSerializerContext;
