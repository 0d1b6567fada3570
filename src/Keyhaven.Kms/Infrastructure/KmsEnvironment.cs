namespace Keyhaven.Kms.Infrastructure;

/// <summary>The clock and the random source every domain service uses; tests pin both.</summary>
public sealed record KmsEnvironment(TimeProvider Time, IRandomSource Random)
{
    public static readonly KmsEnvironment System = new(TimeProvider.System, SystemRandomSource.Instance);

    public DateTimeOffset Now => Time.GetUtcNow();

    public byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Fill(bytes);
        return bytes;
    }

    public Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Fill(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (big-endian field order in Guid's byte layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
