using System.Collections.Frozen;
using System.Collections.Immutable;
using Keyhaven.Kms.Errors;
using Keyhaven.Kms.Keys;

namespace Keyhaven.Kms.Grants;

/// <summary>Parses grant operations and knows which ones fit which key and which take an encryption context.</summary>
public static class GrantOperations
{
    private static readonly FrozenDictionary<string, GrantOperation> ByName =
        Enum.GetValues<GrantOperation>().ToFrozenDictionary(o => o.ToString(), StringComparer.Ordinal);

    private static readonly string EnumSet = string.Join(", ", Enum.GetValues<GrantOperation>());

    // spec: kms/latest/developerguide/grants.html#terms-grant-operations ("Grant operations" table, symmetric encryption keys)
    private static readonly FrozenSet<GrantOperation> SymmetricEncryption = new[]
    {
        GrantOperation.Decrypt, GrantOperation.Encrypt, GrantOperation.GenerateDataKey, GrantOperation.GenerateDataKeyWithoutPlaintext,
        GrantOperation.GenerateDataKeyPair, GrantOperation.GenerateDataKeyPairWithoutPlaintext, GrantOperation.ReEncryptFrom,
        GrantOperation.ReEncryptTo, GrantOperation.CreateGrant, GrantOperation.RetireGrant, GrantOperation.DescribeKey,
    }.ToFrozenSet();

    private static readonly FrozenSet<GrantOperation> AsymmetricEncryption = new[]
    {
        GrantOperation.Decrypt, GrantOperation.Encrypt, GrantOperation.GetPublicKey, GrantOperation.ReEncryptFrom, GrantOperation.ReEncryptTo,
        GrantOperation.CreateGrant, GrantOperation.RetireGrant, GrantOperation.DescribeKey,
    }.ToFrozenSet();

    private static readonly FrozenSet<GrantOperation> AsymmetricSigning = new[]
    {
        GrantOperation.Sign, GrantOperation.Verify, GrantOperation.GetPublicKey, GrantOperation.CreateGrant, GrantOperation.RetireGrant, GrantOperation.DescribeKey,
    }.ToFrozenSet();

    private static readonly FrozenSet<GrantOperation> KeyAgreement = new[]
    {
        GrantOperation.DeriveSharedSecret, GrantOperation.GetPublicKey, GrantOperation.CreateGrant, GrantOperation.RetireGrant, GrantOperation.DescribeKey,
    }.ToFrozenSet();

    private static readonly FrozenSet<GrantOperation> Hmac = new[]
    {
        GrantOperation.GenerateMac, GrantOperation.VerifyMac, GrantOperation.CreateGrant, GrantOperation.RetireGrant, GrantOperation.DescribeKey,
    }.ToFrozenSet();

    // spec: API_GrantConstraints: encryption-context constraints are for operations with an EncryptionContext parameter;
    // a constrained grant may also allow DescribeKey, RetireGrant and CreateGrant.
    private static readonly FrozenSet<GrantOperation> AllowedWithEncryptionContextConstraint = SymmetricEncryption;

    /// <summary>Parses the Operations member: at least one known operation; duplicates are dropped, order kept.</summary>
    /// <exception cref="KmsException">ValidationException for an empty list or an unknown name.</exception>
    public static ImmutableArray<GrantOperation> Parse(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            KmsErrors.Validation("operations", "Member must have length greater than or equal to 1");
        }

        var operations = ImmutableArray.CreateBuilder<GrantOperation>(names.Count);
        foreach (var name in names)
        {
            if (name is null || !ByName.TryGetValue(name, out var operation))
            {
                throw new KmsException(KmsErrorCode.ValidationException,
                    $"1 validation error detected: Value `{name}` at 'operations' failed to satisfy constraint: Member must satisfy enum value set: [{EnumSet}]");
            }

            if (!operations.Contains(operation))
            {
                operations.Add(operation);
            }
        }

        return operations.ToImmutable();
    }

    /// <summary>Refuses operations the key cannot perform (a Sign grant on a symmetric encryption key, …).</summary>
    /// <exception cref="KmsException">ValidationException, as AWS KMS answers.</exception>
    public static void EnsureFitKey(KmsKey key, ImmutableArray<GrantOperation> operations)
    {
        var (allowed, kind) = key.Usage switch
        {
            KeyUsage.EncryptDecrypt when key.Spec == KeySpec.SymmetricDefault => (SymmetricEncryption, "a symmetric encryption KMS key"),
            KeyUsage.EncryptDecrypt => (AsymmetricEncryption, "an asymmetric encryption KMS key"),
            KeyUsage.SignVerify => (AsymmetricSigning, "a signing KMS key"),
            KeyUsage.KeyAgreement => (KeyAgreement, "a key agreement KMS key"),
            _ => (Hmac, "an HMAC KMS key"),
        };
        foreach (var operation in operations)
        {
            if (!allowed.Contains(operation))
            {
                KmsErrors.Throw(KmsErrorCode.ValidationException, $"Grant operation `{operation}` is not valid for {kind} such as `{key.Arn}`.");
            }
        }
    }

    /// <summary>Refuses an encryption-context constraint on a grant for a key other than a symmetric encryption key.</summary>
    /// <exception cref="KmsException">ValidationException.</exception>
    public static void EnsureConstraintsFitKey(KmsKey key, GrantConstraints? constraints)
    {
        // spec: kms-2014-11-01 CreateGrantRequest.Constraints: "You cannot use an encryption context grant constraint for
        // cryptographic operations with asymmetric KMS keys or HMAC KMS keys."
        if (constraints is not null && key.Spec != KeySpec.SymmetricDefault)
        {
            KmsErrors.Throw(KmsErrorCode.ValidationException,
                $"`{key.Arn}` is not a symmetric encryption KMS key, so a grant for it cannot have an encryption context constraint.");
        }
    }

    /// <summary>Refuses an encryption-context constraint on a grant that allows an operation without an encryption context.</summary>
    public static void EnsureFitConstraints(ImmutableArray<GrantOperation> operations, GrantConstraints? constraints)
    {
        if (constraints is null)
        {
            return;
        }

        foreach (var operation in operations)
        {
            if (!AllowedWithEncryptionContextConstraint.Contains(operation))
            {
                KmsErrors.Throw(KmsErrorCode.ValidationException,
                    $"Grant operation `{operation}` does not take an encryption context, so the grant cannot have an encryption context constraint.");
            }
        }
    }
}
