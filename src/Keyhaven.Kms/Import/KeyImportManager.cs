using System.Security.Cryptography;
using Keyhaven.Kms.Accounts;
using Keyhaven.Kms.Asymmetric;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Infrastructure;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Import;

/// <summary>
/// Imported key material (Origin EXTERNAL): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial, and
/// expiry of material imported with KEY_MATERIAL_EXPIRES (the key returns to PendingImport and its material is deleted).
/// Only the material first imported can be imported again. Thread-safe.
/// </summary>
public sealed class KeyImportManager(KeyManager keyManager, KeyRepository keys, KmsEnvironment environment)
{
    public static readonly TimeSpan ParametersLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinValidTo = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxValidTo = TimeSpan.FromDays(365);
    public const int MaxTokenLength = 6144;
    public const int MaxEncryptedMaterialLength = 6144;
    private const byte TokenFormat = 1;

    /// <summary>A fresh RSA wrapping key and import token for an EXTERNAL key, valid for 24 hours; they replace any earlier ones.</summary>
    /// <exception cref="KmsException">UnsupportedOperationException for keys that are not EXTERNAL; KMSInvalidStateException when pending deletion.</exception>
    public async Task<ImportParametersResult> GetParametersAsync(KmsCaller caller, string? keyId, WrappingAlgorithm algorithm, KeySpec wrappingKeySpec,
        CancellationToken cancellationToken)
    {
        if (!KeySpecRules.IsRsa(wrappingKeySpec))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "WrappingKeySpec must be RSA_2048, RSA_3072 or RSA_4096.");
        }

        var wrappingKey = KeyPairs.Generate(wrappingKeySpec);
        var token = new byte[33];
        token[0] = TokenFormat;
        environment.Random.Fill(token.AsSpan(1));
        var validTo = environment.Now + ParametersLifetime;
        var key = await keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureExternal(key);
            KeyStateRules.EnsureNotPendingDeletion(key);
            return key with { ImportParameters = new ImportParameters(wrappingKey, wrappingKeySpec, algorithm, token, validTo) };
        }, cancellationToken);
        return new ImportParametersResult(key, token, KeyPairs.PublicKeyInfo(wrappingKeySpec, wrappingKey), validTo);
    }

    /// <summary>
    /// Imports material wrapped with the key of the last GetParametersForImport. <paramref name="validTo"/> is required
    /// with <paramref name="expires"/> and refused without it; it must be 15 minutes to 365 days ahead.
    /// </summary>
    /// <exception cref="KmsException">
    /// InvalidImportTokenException (not this key's current token), ExpiredImportTokenException, InvalidCiphertextException
    /// (does not unwrap), IncorrectKeyMaterialException (wrong shape for the key spec, or not the material first imported).
    /// </exception>
    public async Task<KmsKey> ImportAsync(KmsCaller caller, string? keyId, byte[]? importToken, byte[]? encryptedMaterial, bool expires, DateTimeOffset? validTo,
        CancellationToken cancellationToken)
    {
        if (importToken is not { Length: >= 1 and <= MaxTokenLength })
        {
            KmsErrors.Validation("importToken", $"Member must have length between 1 and {MaxTokenLength}");
        }

        if (encryptedMaterial is not { Length: >= 1 and <= MaxEncryptedMaterialLength })
        {
            KmsErrors.Validation("encryptedKeyMaterial", $"Member must have length between 1 and {MaxEncryptedMaterialLength}");
        }

        var now = environment.Now;
        if (expires && validTo is null)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
        }

        if (!expires && validTo is not null)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
        }

        if (validTo is { } until && (until < now + MinValidTo || until > now + MaxValidTo))
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException, "ValidTo must be at least 15 minutes and at most 365 days in the future.");
        }

        return await keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureExternal(key);
            KeyStateRules.EnsureNotPendingDeletion(key);
            var parameters = key.ImportParameters;
            if (parameters is null || !CryptographicOperations.FixedTimeEquals(parameters.Token, importToken))
            {
                KmsErrors.Throw(KmsErrorCode.InvalidImportTokenException, $"The import token is not the current import token of {key.Arn}.");
            }

            if (parameters.ValidTo <= now)
            {
                KmsErrors.Throw(KmsErrorCode.ExpiredImportTokenException, "The import token has expired; call GetParametersForImport again.");
            }

            var unwrapped = KeyMaterialUnwrapper.TryUnwrap(parameters.WrappingKey, parameters.WrappingAlgorithm, encryptedMaterial)
                ?? KmsErrors.Throw<byte[]>(KmsErrorCode.InvalidCiphertextException,
                    "The encrypted key material does not decrypt with the wrapping key and algorithm of the import token.");
            byte[]? material;
            try
            {
                material = ImportedMaterial.TryNormalize(key.Spec, unwrapped);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(unwrapped);
            }

            if (material is null)
            {
                KmsErrors.Throw(KmsErrorCode.IncorrectKeyMaterialException, $"The key material is not valid for a key of this key spec ({key.Arn}).");
            }

            var materialId = ImportedMaterial.MaterialId(material);
            if (key.ImportedMaterialId is { } first
                && !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(first), Convert.FromHexString(materialId)))
            {
                CryptographicOperations.ZeroMemory(material);
                KmsErrors.Throw(KmsErrorCode.IncorrectKeyMaterialException, $"{key.Arn} accepts only the key material that was first imported into it.");
            }

            return key with
            {
                State = key.State == KeyState.PendingImport ? KeyState.Enabled : key.State,
                Versions = [new KeyMaterialVersion(1, materialId, now, RotationType.Initial, material)],
                ValidTo = validTo,
                ImportedMaterialId = materialId,
            };
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the imported material: the key becomes PendingImport until the same material is imported again. A key
    /// pending deletion keeps its state (AWS: "this operation does not change the KMS key's state"). When
    /// <paramref name="keyMaterialId"/> is given it must name the key's material.
    /// </summary>
    /// <exception cref="KmsException">UnsupportedOperationException (not EXTERNAL), ValidationException (malformed id), NotFoundException (another material's id).</exception>
    public Task<KmsKey> DeleteAsync(KmsCaller caller, string? keyId, string? keyMaterialId, CancellationToken cancellationToken)
    {
        // spec: kms-2014-11-01 BackingKeyIdType (64 characters, ^[a-f0-9]+$)
        if (keyMaterialId is not null && (keyMaterialId.Length != 64 || !keyMaterialId.All(char.IsAsciiHexDigitLower)))
        {
            KmsErrors.Validation("keyMaterialId", "Member must have length 64 and match pattern ^[a-f0-9]+$");
        }

        return keyManager.ChangeAsync(caller, keyId, key =>
        {
            EnsureExternal(key);
            if (keyMaterialId is not null && !string.Equals(keyMaterialId, key.ImportedMaterialId, StringComparison.Ordinal))
            {
                KmsErrors.Throw(KmsErrorCode.NotFoundException, $"{key.Arn} has no key material {keyMaterialId}.");
            }

            return ImportedMaterial.Expire(key);
        }, cancellationToken);
    }

    /// <summary>Deletes expired imported material for good (the keys already act as PendingImport); returns how many keys changed.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        foreach (var key in await keys.ListAllAsync(cancellationToken))
        {
            if (key.ValidTo is { } validTo && validTo <= environment.Now && key.Versions.Length > 0)
            {
                await keys.UpdateAsync(key, stored => ImportedMaterial.AsOf(stored, environment.Now), cancellationToken);
                expired++;
            }
        }

        return expired;
    }

    private static void EnsureExternal(KmsKey key)
    {
        if (key.Origin != KeyOrigin.External)
        {
            KmsErrors.Throw(KmsErrorCode.UnsupportedOperationException, $"{key.Arn} does not have imported key material: its origin is not EXTERNAL.");
        }
    }
}
