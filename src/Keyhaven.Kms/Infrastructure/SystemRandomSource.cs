using System.Security.Cryptography;

namespace Keyhaven.Kms.Infrastructure;

/// <summary>The platform's cryptographically secure generator. Thread-safe.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
