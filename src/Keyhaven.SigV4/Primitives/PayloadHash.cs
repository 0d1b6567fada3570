using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Keyhaven.SigV4;

/// <summary>
/// The hashed payload of a SigV4 canonical request: either the SHA-256 digest of the body (written as lower-case hex)
/// or the literal <c>UNSIGNED-PAYLOAD</c>. A value type with the digest stored inline: computing it allocates nothing.
/// spec: AWS SigV4 "Create a canonical request", HashedPayload.
/// </summary>
public readonly struct PayloadHash : IEquatable<PayloadHash>
{
    /// <summary>Length of the hex form of a digest.</summary>
    public const int HexLength = 64;

    /// <summary>The literal used instead of a digest when the payload is not signed.</summary>
    public const string UnsignedPayloadLiteral = "UNSIGNED-PAYLOAD";

    private readonly Digest _digest;
    private readonly bool _unsigned;

    private PayloadHash(ReadOnlySpan<byte> digest)
    {
        digest.CopyTo(_digest);
        _unsigned = false;
    }

    private PayloadHash(bool unsigned)
    {
        _unsigned = unsigned;
    }

    /// <summary>The <c>UNSIGNED-PAYLOAD</c> marker.</summary>
    public static PayloadHash Unsigned => new(unsigned: true);

    /// <summary>The hash of an empty body (e3b0c442...b855).</summary>
    public static PayloadHash Empty => Compute([]);

    /// <summary>True for the <c>UNSIGNED-PAYLOAD</c> marker.</summary>
    public bool IsUnsigned => _unsigned;

    /// <summary>Hashes <paramref name="payload"/> with SHA-256. Allocates nothing.</summary>
    public static PayloadHash Compute(ReadOnlySpan<byte> payload)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, digest);
        return new PayloadHash(digest);
    }

    /// <summary>Wraps an existing 32-byte SHA-256 digest.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 32 bytes long.</exception>
    public static PayloadHash FromDigest(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 digest is 32 bytes; got `{sha256.Length}`.", nameof(sha256));
        }

        return new PayloadHash(sha256);
    }

    /// <summary>
    /// Parses the value of an <c>x-amz-content-sha256</c> header: 64 hex digits or <c>UNSIGNED-PAYLOAD</c>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out PayloadHash hash)
    {
        if (text.SequenceEqual(UnsignedPayloadLiteral))
        {
            hash = Unsigned;
            return true;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        if (text.Length == HexLength && Convert.FromHexString(text, digest, out _, out int written) == System.Buffers.OperationStatus.Done
            && written == digest.Length)
        {
            hash = new PayloadHash(digest);
            return true;
        }

        hash = default;
        return false;
    }

    /// <summary>Writes the canonical form (lower-case hex, or the unsigned literal) as ASCII bytes.</summary>
    /// <returns>The number of bytes written (64, or 16 for <c>UNSIGNED-PAYLOAD</c>).</returns>
    public int WriteAscii(Span<byte> destination)
    {
        if (_unsigned)
        {
            "UNSIGNED-PAYLOAD"u8.CopyTo(destination);
            return UnsignedPayloadLiteral.Length;
        }

        Hex.WriteLower(_digest, destination);
        return HexLength;
    }

    /// <summary>The canonical form: lower-case hex digest or <c>UNSIGNED-PAYLOAD</c>.</summary>
    public override string ToString() => _unsigned ? UnsignedPayloadLiteral : Convert.ToHexStringLower(_digest);

    /// <inheritdoc />
    public bool Equals(PayloadHash other) =>
        _unsigned == other._unsigned && ((ReadOnlySpan<byte>)_digest).SequenceEqual(other._digest);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PayloadHash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_unsigned, BitConverter.ToInt32(_digest));

    public static bool operator ==(PayloadHash left, PayloadHash right) => left.Equals(right);

    public static bool operator !=(PayloadHash left, PayloadHash right) => !left.Equals(right);

    [InlineArray(SHA256.HashSizeInBytes)]
    private struct Digest
    {
        private byte _element0;
    }
}
