namespace Keyhaven.Encryption.Crypto;

/// <summary>
/// Guards key material that concurrent operations use and <c>Dispose</c> destroys. Each operation holds a
/// <see cref="Use"/> while it touches the material; once disposed, no new use is granted
/// (<see cref="ObjectDisposedException"/>), and the material is released (zeroed) exactly once, when the guard is
/// disposed and the last use still in flight has ended. So an operation never sees zeroed key material, and a keyring
/// disposed during use fails closed instead of wrapping under an all-zero key. Thread safe.
/// </summary>
internal sealed class KeyUseGuard
{
    private readonly Lock _gate = new();
    private readonly object _owner;
    private readonly Action _release;
    private int _uses;
    private bool _disposed;

    /// <param name="owner">Named in the <see cref="ObjectDisposedException"/>.</param>
    /// <param name="release">Destroys the key material; called once, outside the guard's lock.</param>
    public KeyUseGuard(object owner, Action release)
    {
        _owner = owner;
        _release = release;
    }

    /// <summary>Starts one use of the key material; throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    public Use Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, _owner);
            _uses++;
        }

        return new Use(this);
    }

    /// <summary>Refuses new uses; releases the material now, or when the last use in flight ends. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_uses > 0)
            {
                return;
            }
        }

        _release();
    }

    private void Leave()
    {
        lock (_gate)
        {
            // INVARIANT: every Leave matches one Enter.
            _uses--;
            if (!_disposed || _uses > 0)
            {
                return;
            }
        }

        _release();
    }

    /// <summary>One use of the key material; disposing it (once) ends the use.</summary>
    public sealed class Use : IDisposable
    {
        private KeyUseGuard? _guard;

        internal Use(KeyUseGuard guard) => _guard = guard;

        public void Dispose() => Interlocked.Exchange(ref _guard, null)?.Leave();
    }
}
