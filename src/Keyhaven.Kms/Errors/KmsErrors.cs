using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.Kms.Errors;

/// <summary>Throw helpers kept out of line so that callers on hot paths stay small and inlinable.</summary>
internal static class KmsErrors
{
    [DoesNotReturn]
    public static void Throw(KmsErrorCode code, string message) => throw new KmsException(code, message);

    [DoesNotReturn]
    public static T Throw<T>(KmsErrorCode code, string message) => throw new KmsException(code, message);

    /// <summary>AWS's wording for a single constraint violation on a request member.</summary>
    [DoesNotReturn]
    public static void Validation(string member, string constraint) =>
        throw new KmsException(KmsErrorCode.ValidationException, $"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");
}
