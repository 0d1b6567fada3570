using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyhaven.Storage.Backends;
using Keyhaven.Storage.Barrier;

namespace Keyhaven.Storage.Tests.Barrier;

/// <summary>Any single altered byte of a sealed value fails to open (AES-GCM authenticates every byte, the header through the associated data).</summary>
public sealed partial class StorageBarrierTests
{
    private static Arbitrary<(byte[] Payload, int Position, byte Mask)> PayloadAndFlip() =>
        (from length in Gen.Choose(0, 2048)
         from seed in Gen.Choose(0, int.MaxValue)
         let payload = RandomBytes(length, seed)
         from position in Gen.Choose(0, 1 + 4 + 12 + length + 16 - 1)
         from mask in Gen.Choose(1, 255)
         select (payload, position, (byte)mask)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property AnySingleFlippedByte_Fails() =>
        Prop.ForAll(PayloadAndFlip(), input =>
        {
            var sealedValue = Barrier.Seal(Key, 5, input.Payload);
            Assert.Equal(input.Payload, Barrier.Unseal(new StorageEntry(Key, 5, sealedValue)));

            sealedValue[input.Position] ^= input.Mask;

            Assert.Throws<BarrierIntegrityException>(() => Barrier.Unseal(new StorageEntry(Key, 5, sealedValue)));
        });

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
