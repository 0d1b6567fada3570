using System.Buffers;
using System.Text;

namespace Keyhaven.SigV4.Canonicalization;

/// <summary>
/// Builds the SigV4 canonical request. The single implementation shared by <see cref="SigV4Signer"/> and
/// <see cref="SigV4Verifier{TPrincipal}"/>, so a request the signer signs is canonicalized identically by the verifier.
/// spec: AWS SigV4 "Create a canonical request":
/// <c>Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload</c>.
/// </summary>
internal static class CanonicalRequest
{
    /// <summary>Name of the presigned-URL parameter that carries the signature and is never part of the canonical query.</summary>
    public const string SignatureParameter = "X-Amz-Signature";

    /// <summary>
    /// Writes the canonical request.
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="method">HTTP method, written as is.</param>
    /// <param name="rawPath">Path exactly as sent on the wire (still percent-encoded); it is encoded once more.</param>
    /// <param name="normalizePath">Remove '.'/'..' and empty segments first (every service except S3).</param>
    /// <param name="rawQuery">Query string as sent on the wire, without the leading '?'.</param>
    /// <param name="excludeSignatureParameter">Leave out <c>X-Amz-Signature</c> (verifying a presigned URL).</param>
    /// <param name="headers">All request headers.</param>
    /// <param name="signedHeaders">The SignedHeaders value: lower-case names separated by ';'.</param>
    /// <param name="payloadHash">Hashed payload.</param>
    public static void Write(
        ref ByteWriter writer,
        ReadOnlySpan<char> method,
        ReadOnlySpan<char> rawPath,
        bool normalizePath,
        ReadOnlySpan<char> rawQuery,
        bool excludeSignatureParameter,
        IReadOnlyList<HttpHeader> headers,
        ReadOnlySpan<char> signedHeaders,
        in PayloadHash payloadHash)
    {
        writer.WriteUtf8(method);
        writer.Write((byte)'\n');
        WriteCanonicalUri(ref writer, rawPath, normalizePath);
        writer.Write((byte)'\n');
        WriteCanonicalQuery(ref writer, rawQuery, excludeSignatureParameter);
        writer.Write((byte)'\n');
        WriteCanonicalHeaders(ref writer, headers, signedHeaders);
        writer.Write((byte)'\n');
        writer.WriteUtf8(signedHeaders);
        writer.Write((byte)'\n');
        writer.Advance(payloadHash.WriteAscii(writer.GetSpan(PayloadHash.HexLength)));
    }

    /// <summary>
    /// Canonical URI: the UTF-8 path, optionally normalized (RFC 3986 section 5.2.4 dot-segment removal plus
    /// collapsing empty segments), then URI-encoded with '/' kept. Because the input is the encoded wire path, the
    /// result is the "double-encoded" form non-S3 services expect. An empty path is "/".
    /// </summary>
    internal static void WriteCanonicalUri(ref ByteWriter writer, ReadOnlySpan<char> rawPath, bool normalize)
    {
        if (rawPath.IsEmpty)
        {
            writer.Write((byte)'/');
            return;
        }

        byte[]? rented = null;
        int max = Encoding.UTF8.GetMaxByteCount(rawPath.Length);
        Span<byte> path = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            path = path[..Encoding.UTF8.GetBytes(rawPath, path)];
            if (!normalize)
            {
                UriEncoding.Encode(ref writer, path, keepSlash: true);
                return;
            }

            WriteNormalizedPath(ref writer, path);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void WriteNormalizedPath(ref ByteWriter writer, scoped ReadOnlySpan<byte> path)
    {
        // Segment boundaries kept as (start, length) pairs; a '..' pops the last one.
        int maxSegments = (path.Length / 2) + 1;
        int[]? rented = null;
        Span<int> segments = maxSegments * 2 <= 64 ? stackalloc int[64] : (rented = ArrayPool<int>.Shared.Rent(maxSegments * 2));
        try
        {
            int count = 0;
            int start = 0;
            while (start <= path.Length)
            {
                int slash = path[start..].IndexOf((byte)'/');
                int end = slash < 0 ? path.Length : start + slash;
                ReadOnlySpan<byte> segment = path[start..end];
                if (segment.SequenceEqual(".."u8))
                {
                    count = Math.Max(0, count - 1);
                }
                else if (!segment.IsEmpty && !segment.SequenceEqual("."u8))
                {
                    segments[2 * count] = start;
                    segments[(2 * count) + 1] = segment.Length;
                    count++;
                }

                start = end + 1;
            }

            if (count == 0)
            {
                writer.Write((byte)'/');
                return;
            }

            for (int i = 0; i < count; i++)
            {
                writer.Write((byte)'/');
                UriEncoding.Encode(ref writer, path.Slice(segments[2 * i], segments[(2 * i) + 1]), keepSlash: false);
            }

            if (path[^1] == '/')
            {
                writer.Write((byte)'/');
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Canonical query string: each parameter percent-decoded then re-encoded with the unreserved set, a missing '='
    /// giving an empty value, sorted by encoded name then encoded value (byte order), joined by '&amp;'.
    /// </summary>
    internal static void WriteCanonicalQuery(ref ByteWriter writer, ReadOnlySpan<char> rawQuery, bool excludeSignature)
    {
        if (rawQuery.IsEmpty)
        {
            return;
        }

        // Encoded names and values are appended to one pooled scratch buffer; entries index into it.
        var scratch = new ByteWriter(rawQuery.Length * 3);
        int maxEntries = rawQuery.Count('&') + 1;
        QueryEntry[] entries = ArrayPool<QueryEntry>.Shared.Rent(maxEntries);
        byte[] decodeBuffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(rawQuery.Length));
        try
        {
            int count = 0;
            foreach (Range range in rawQuery.Split('&'))
            {
                ReadOnlySpan<char> part = rawQuery[range];
                if (part.IsEmpty)
                {
                    continue;
                }

                int eq = part.IndexOf('=');
                ReadOnlySpan<char> name = eq < 0 ? part : part[..eq];
                ReadOnlySpan<char> value = eq < 0 ? [] : part[(eq + 1)..];

                int nameStart = scratch.Length;
                AppendDecodedEncoded(ref scratch, name, decodeBuffer);
                int nameLength = scratch.Length - nameStart;
                if (excludeSignature && scratch.WrittenSpan.Slice(nameStart, nameLength).SequenceEqual("X-Amz-Signature"u8))
                {
                    // Drop it: rewind is not supported, so the bytes simply stay unused in scratch.
                    continue;
                }

                int valueStart = scratch.Length;
                AppendDecodedEncoded(ref scratch, value, decodeBuffer);
                entries[count++] = new QueryEntry(nameStart, nameLength, valueStart, scratch.Length - valueStart);
            }

            ReadOnlySpan<byte> data = scratch.WrittenSpan;
            entries.AsSpan(0, count).Sort(new QueryEntryComparer(scratch.RentedArray));
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    writer.Write((byte)'&');
                }

                QueryEntry e = entries[i];
                writer.Write(data.Slice(e.NameStart, e.NameLength));
                writer.Write((byte)'=');
                writer.Write(data.Slice(e.ValueStart, e.ValueLength));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decodeBuffer);
            ArrayPool<QueryEntry>.Shared.Return(entries);
            scratch.Dispose();
        }
    }

    private static void AppendDecodedEncoded(ref ByteWriter scratch, ReadOnlySpan<char> text, byte[] decodeBuffer)
    {
        int length = Encoding.UTF8.GetBytes(text, decodeBuffer);
        length = UriEncoding.DecodeInPlace(decodeBuffer.AsSpan(0, length));
        UriEncoding.Encode(ref scratch, decodeBuffer.AsSpan(0, length), keepSlash: false);
    }

    /// <summary>
    /// Canonical headers: for each name in SignedHeaders, <c>name:value\n</c> where value joins every occurrence of
    /// the header (in received order) with ',', each trimmed and with runs of spaces/tabs collapsed to one space.
    /// A signed header absent from the request yields an empty value (the signature then cannot match a client that
    /// sent it).
    /// </summary>
    internal static void WriteCanonicalHeaders(ref ByteWriter writer, IReadOnlyList<HttpHeader> headers, ReadOnlySpan<char> signedHeaders)
    {
        foreach (Range range in signedHeaders.Split(';'))
        {
            ReadOnlySpan<char> name = signedHeaders[range];
            writer.WriteUtf8(name);
            writer.Write((byte)':');
            bool first = true;
            for (int i = 0; i < headers.Count; i++)
            {
                HttpHeader header = headers[i];
                if (!name.Equals(header.Name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!first)
                {
                    writer.Write((byte)',');
                }

                first = false;
                WriteTrimmedValue(ref writer, header.Value);
            }

            writer.Write((byte)'\n');
        }
    }

    private static void WriteTrimmedValue(ref ByteWriter writer, scoped ReadOnlySpan<char> value)
    {
        // spec: SigV4 "Trimall": trim, and collapse sequential whitespace to a single space.
        bool needSpace = false;
        foreach (Range range in value.SplitAny(' ', '\t'))
        {
            ReadOnlySpan<char> word = value[range];
            if (word.IsEmpty)
            {
                continue;
            }

            if (needSpace)
            {
                writer.Write((byte)' ');
            }

            writer.WriteUtf8(word);
            needSpace = true;
        }
    }

    private readonly record struct QueryEntry(int NameStart, int NameLength, int ValueStart, int ValueLength);

    private readonly struct QueryEntryComparer(byte[] data) : IComparer<QueryEntry>
    {
        public int Compare(QueryEntry x, QueryEntry y)
        {
            ReadOnlySpan<byte> d = data;
            int byName = d.Slice(x.NameStart, x.NameLength).SequenceCompareTo(d.Slice(y.NameStart, y.NameLength));
            return byName != 0 ? byName : d.Slice(x.ValueStart, x.ValueLength).SequenceCompareTo(d.Slice(y.ValueStart, y.ValueLength));
        }
    }
}
