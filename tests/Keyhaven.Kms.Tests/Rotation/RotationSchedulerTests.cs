using Keyhaven.Kms.Crypto;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;
using Keyhaven.Kms.Tests.Support;
using static Keyhaven.Kms.Tests.Support.KmsHarness;

namespace Keyhaven.Kms.Tests.Rotation;

/// <summary>Automatic rotation with a pinned clock, and that every version keeps decrypting.</summary>
public sealed class RotationSchedulerTests : IAsyncLifetime
{
    private KmsHarness _kms = null!;

    public async Task InitializeAsync() => _kms = await KmsHarness.OpenAsync();

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    private Task<int> RunDueAsync() => _kms.Domain.RotationScheduler.RunDueAsync(None);

    private async Task<KmsKey> CreateWithRotationAsync(int periodInDays)
    {
        var key = await _kms.CreateKeyAsync();
        return await _kms.Domain.Rotation.EnableAsync(Caller, key.Id.Value, periodInDays, None);
    }

    [Fact]
    public async Task EnablingRotation_SetsTheNextRotationDateOnePeriodAhead()
    {
        var key = await CreateWithRotationAsync(90);

        Assert.Equal(_kms.Clock.GetUtcNow().AddDays(90), key.NextRotationDate);
        Assert.Equal(90, (await _kms.ReadStoredAsync(key))!.RotationPeriodInDays);
    }

    [Fact]
    public async Task EnablingRotation_DefaultsTo365Days()
    {
        // AWS KMS: RotationPeriodInDays defaults to 365.
        var key = await _kms.CreateKeyAsync();

        key = await _kms.Domain.Rotation.EnableAsync(Caller, key.Id.Value, null, None);

        Assert.Equal(365, key.RotationPeriodInDays);
    }

    [Theory]
    [InlineData(89)]
    [InlineData(2561)]
    public async Task EnablingRotation_RefusesAPeriodOutside90To2560Days(int days)
    {
        // AWS KMS: RotationPeriodInDays is 90 to 2560 (ValidationException).
        var key = await _kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<KmsException>(() => _kms.Domain.Rotation.EnableAsync(Caller, key.Id.Value, days, None));
        Assert.Equal(KmsErrorCode.ValidationException, error.Code);
    }

    [Fact]
    public async Task Rotation_HappensOnlyWhenDue()
    {
        var key = await CreateWithRotationAsync(90);

        _kms.Clock.Advance(TimeSpan.FromDays(90) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await RunDueAsync());
        Assert.Single((await _kms.ReadStoredAsync(key))!.Versions);

        _kms.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await RunDueAsync());

        var stored = (await _kms.ReadStoredAsync(key))!;
        Assert.Equal(2, stored.Versions.Length);
        Assert.Equal(RotationType.Automatic, stored.CurrentVersion.RotationType);
        Assert.Equal(_kms.Clock.GetUtcNow(), stored.CurrentVersion.CreatedAt);
    }

    [Fact]
    public async Task Rotation_MovesTheNextRotationDateByThePeriod()
    {
        var key = await CreateWithRotationAsync(100);

        _kms.Clock.Advance(TimeSpan.FromDays(100));
        await RunDueAsync();

        Assert.Equal(_kms.Clock.GetUtcNow().AddDays(100), (await _kms.ReadStoredAsync(key))!.NextRotationDate);
    }

    [Fact]
    public async Task ALateRun_RotatesOnce_AndSchedulesOnePeriodFromThen()
    {
        var key = await CreateWithRotationAsync(90);

        _kms.Clock.Advance(TimeSpan.FromDays(200));
        Assert.Equal(1, await RunDueAsync());
        Assert.Equal(0, await RunDueAsync());

        var stored = (await _kms.ReadStoredAsync(key))!;
        Assert.Equal(2, stored.Versions.Length);
        Assert.Equal(_kms.Clock.GetUtcNow().AddDays(90), stored.NextRotationDate);
    }

    [Fact]
    public async Task RunningTwiceAtTheSameInstant_RotatesOnce()
    {
        await CreateWithRotationAsync(90);
        _kms.Clock.Advance(TimeSpan.FromDays(90));

        Assert.Equal(1, await RunDueAsync());
        Assert.Equal(0, await RunDueAsync());
    }

    [Fact]
    public async Task KeysWithoutRotation_AreNeverRotated()
    {
        var key = await _kms.CreateKeyAsync();

        _kms.Clock.Advance(TimeSpan.FromDays(3000));

        Assert.Equal(0, await RunDueAsync());
        Assert.Single((await _kms.ReadStoredAsync(key))!.Versions);
    }

    [Fact]
    public async Task DisabledKeys_AreNotRotated_UntilEnabledAgain()
    {
        // AWS KMS: a disabled key is not rotated; once re-enabled, a rotation that came due meanwhile happens.
        var key = await CreateWithRotationAsync(90);
        await _kms.Domain.KeyManager.DisableAsync(Caller, key.Id.Value, None);

        _kms.Clock.Advance(TimeSpan.FromDays(120));
        Assert.Equal(0, await RunDueAsync());
        Assert.Single((await _kms.ReadStoredAsync(key))!.Versions);

        await _kms.Domain.KeyManager.EnableAsync(Caller, key.Id.Value, None);
        Assert.Equal(1, await RunDueAsync());
    }

    [Fact]
    public async Task KeysPendingDeletion_AreNotRotated()
    {
        // AWS KMS: a key pending deletion is not rotated.
        var key = await CreateWithRotationAsync(90);
        await _kms.Domain.KeyManager.ScheduleDeletionAsync(Caller, key.Id.Value, 30, None);

        _kms.Clock.Advance(TimeSpan.FromDays(91));

        Assert.Equal(0, await RunDueAsync());
        Assert.Single((await _kms.ReadStoredAsync(key))!.Versions);
    }

    [Fact]
    public async Task OnlyDueKeys_AreRotated()
    {
        var soon = await CreateWithRotationAsync(90);
        var later = await CreateWithRotationAsync(180);

        _kms.Clock.Advance(TimeSpan.FromDays(90));

        Assert.Equal(1, await RunDueAsync());
        Assert.Equal(2, (await _kms.ReadStoredAsync(soon))!.Versions.Length);
        Assert.Single((await _kms.ReadStoredAsync(later))!.Versions);
    }

    [Fact]
    public async Task CiphertextsOfEveryVersion_StillDecryptAfterSeveralRotations()
    {
        // AWS KMS: rotation keeps every earlier key material, so old ciphertexts keep decrypting.
        var key = await CreateWithRotationAsync(90);
        var blobs = new List<(byte[] Blob, byte[] Plaintext, uint Version)>();
        for (var round = 0; round < 4; round++)
        {
            var plaintext = BitConverter.GetBytes(round);
            var blob = await _kms.EncryptAsync(key, plaintext);
            Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
            blobs.Add((blob, plaintext, parsed.KeyVersion));

            _kms.Clock.Advance(TimeSpan.FromDays(90));
            Assert.Equal(1, await RunDueAsync());
            await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);
        }

        // New ciphertexts use the newest version: 1 initial + 4 automatic + 4 on demand.
        Assert.Equal([1u, 3u, 5u, 7u], blobs.Select(b => b.Version));
        Assert.True(CiphertextBlob.TryParse(await _kms.EncryptAsync(key, [0]), out var newest));
        Assert.Equal(9u, newest.KeyVersion);

        foreach (var (blob, plaintext, _) in blobs)
        {
            Assert.Equal(plaintext, await _kms.DecryptAsync(blob));
        }

        // And after a restart, from storage alone.
        var restarted = _kms.NewDomain();
        foreach (var (blob, plaintext, _) in blobs)
        {
            Assert.Equal(plaintext, (await restarted.Crypto.DecryptAsync(Caller, blob, EncryptionContext.Empty, null, null, None)).Plaintext);
        }
    }

    [Fact]
    public async Task OnDemandRotation_IsLimitedTo25PerKey()
    {
        // AWS KMS: at most 25 on-demand rotations per key (LimitExceededException).
        var key = await _kms.CreateKeyAsync();
        for (var i = 0; i < 25; i++)
        {
            await _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None);
        }

        var error = await Assert.ThrowsAsync<KmsException>(() => _kms.Domain.Rotation.RotateOnDemandAsync(Caller, key.Id.Value, None));
        Assert.Equal(KmsErrorCode.LimitExceededException, error.Code);
    }
}
