using System.Diagnostics.CodeAnalysis;

namespace Keyhaven.SigV4;

/// <summary>Outcome of <see cref="SigV4Verifier{TPrincipal}.VerifyAsync"/>: an authentication or an error, never both.</summary>
/// <typeparam name="TPrincipal">Caller-defined principal type.</typeparam>
public readonly struct SigV4VerificationResult<TPrincipal>
{
    private readonly SigV4Authentication<TPrincipal> _authentication;

    private readonly SigV4Error? _error;

    private SigV4VerificationResult(SigV4Authentication<TPrincipal> authentication, SigV4Error? error)
    {
        _authentication = authentication;
        _error = error;
    }

    /// <summary>True when the request is authenticated. A default-initialized result is a failure (fail closed).</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => _error is null && _authentication.Credential is not null;

    /// <summary>The failure; null on success.</summary>
    public SigV4Error? Error => IsSuccess ? null : _error ?? SigV4Error.MissingAuthentication();

    /// <summary>The authentication.</summary>
    /// <exception cref="InvalidOperationException">The result is a failure.</exception>
    public SigV4Authentication<TPrincipal> Authentication =>
        IsSuccess ? _authentication : throw new InvalidOperationException("Verification failed; read Error instead.");

    /// <summary>Gets the authentication when verification succeeded.</summary>
    public bool TryGetAuthentication(out SigV4Authentication<TPrincipal> authentication)
    {
        authentication = _authentication;
        return IsSuccess;
    }

    internal static SigV4VerificationResult<TPrincipal> Success(SigV4Authentication<TPrincipal> authentication) => new(authentication, null);

    internal static SigV4VerificationResult<TPrincipal> Failure(SigV4Error error) => new(default, error);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Authenticated {_authentication.AccessKeyId}" : $"Failed: {Error}";
}
