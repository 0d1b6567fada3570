using Keyhaven.Encryption.Materials;

namespace Keyhaven.Encryption.Keyrings;

/// <summary>
/// A generator keyring plus child keyrings: on encrypt the generator makes and wraps the data key and every child
/// wraps it too; on decrypt each keyring is tried in order until one unwraps a key, a keyring's failure being
/// collected into the final error. Thread safe if its keyrings are.
/// spec: framework/multi-keyring.md
/// </summary>
public sealed class MultiKeyring : IKeyring
{
    public MultiKeyring(IKeyring? generator, IReadOnlyList<IKeyring> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        if (generator is null && children.Count == 0)
        {
            throw new ArgumentException("A multi-keyring needs a generator or at least one child keyring.", nameof(children));
        }

        Generator = generator;
        Children = children;
    }

    public IKeyring? Generator { get; }

    public IReadOnlyList<IKeyring> Children { get; }

    public async ValueTask OnEncryptAsync(EncryptionMaterials materials, CancellationToken cancellationToken = default)
    {
        if (Generator is null && materials.PlaintextDataKey is null)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "A multi-keyring without a generator cannot create a data key.");
        }

        // spec: framework/multi-keyring.md#onencrypt — the generator is given only materials without a data key, and
        // must make one.
        if (Generator is not null)
        {
            if (materials.PlaintextDataKey is not null)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "A multi-keyring with a generator cannot take materials that already have a data key (use one without a generator as a child).");
            }

            await Generator.OnEncryptAsync(materials, cancellationToken).ConfigureAwait(false);
            if (materials.PlaintextDataKey is null)
            {
                throw new EncryptionSdkException(EncryptionSdkErrorReason.KeyringFailure, "The multi-keyring's generator made no data key.");
            }
        }

        foreach (var child in Children)
        {
            await child.OnEncryptAsync(materials, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask OnDecryptAsync(DecryptionMaterials materials, IReadOnlyList<EncryptedDataKey> encryptedDataKeys, CancellationToken cancellationToken = default)
    {
        List<Exception>? failures = null;
        foreach (var keyring in Generator is null ? Children : [Generator, .. Children])
        {
            if (materials.PlaintextDataKey is not null)
            {
                return;
            }

            // spec: framework/multi-keyring.md#ondecrypt — a keyring that fails (whatever it throws) is collected and
            // the next one is tried; only cancellation stops the loop.
            try
            {
                await keyring.OnDecryptAsync(materials, encryptedDataKeys, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (failures ??= []).Add(e);
            }
        }

        if (materials.PlaintextDataKey is null && failures is not null)
        {
            throw new EncryptionSdkException(EncryptionSdkErrorReason.NoDecryptableDataKey, $"No keyring could decrypt a data key: {string.Join(" ", failures.Select(f => f.Message))}", new AggregateException(failures));
        }
    }
}
