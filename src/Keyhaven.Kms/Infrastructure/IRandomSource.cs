namespace Keyhaven.Kms.Infrastructure;

/// <summary>The source of every random byte the domain uses (key material, nonces, ids), injected so tests can observe it.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}
