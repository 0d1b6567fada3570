using Keyhaven.Encryption.Suites;

namespace Keyhaven.Encryption;

/// <summary>Settings of an <see cref="EncryptionClient"/> that hold for every message (spec: client-apis/client.md).</summary>
public sealed record EncryptionClientOptions
{
    /// <summary>Which suites may be used; default: committing suites only, both ways.</summary>
    public CommitmentPolicy CommitmentPolicy { get; init; } = CommitmentPolicy.RequireEncryptRequireDecrypt;

    /// <summary>
    /// The most encrypted data keys a message may carry, on encrypt and decrypt (default: no limit beyond the
    /// format's 65,535). Set it when decrypting untrusted messages: each key may cost a keyring call.
    /// </summary>
    public int MaxEncryptedDataKeys
    {
        get;
        init => field = value is >= 1 and <= ushort.MaxValue ? value : throw new ArgumentOutOfRangeException(nameof(value), $"The maximum number of encrypted data keys is 1 to {ushort.MaxValue}, not {value}.");
    } = ushort.MaxValue;
}
