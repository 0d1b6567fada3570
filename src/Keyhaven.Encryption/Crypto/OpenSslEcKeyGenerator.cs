using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Keyhaven.Encryption.Crypto;

/// <summary>
/// Generates a NIST P-256 or P-384 key pair directly with OpenSSL 3 (<c>EVP_PKEY_generate</c>) and hands it to .NET as
/// an <see cref="ECDsaOpenSsl"/>. A signed suite needs a fresh key pair for every message, and on OpenSSL 3.0
/// <c>ECDsa.Create(curve)</c> spends about 2.3 ms on P-384 where OpenSSL's own generation takes about 0.9 ms (measured,
/// docs/benchmarks.md): the rest is .NET's work around the generation, not the curve arithmetic. The key, the
/// arithmetic and the randomness are OpenSSL's either way; only the wrapper is bypassed.
/// <para>
/// Used only on Linux when the OpenSSL that .NET itself loaded is version 3 and the functions resolve; otherwise (and
/// after any failure) <see cref="TryGenerate"/> returns null and the caller uses <c>ECDsa.Create</c>.
/// </para>
/// </summary>
internal static unsafe class OpenSslEcKeyGenerator
{
    private static readonly Functions? Native = Functions.Load();

    /// <summary>Whether keys are generated through OpenSSL directly on this machine.</summary>
    public static bool IsAvailable => Native is not null;

    /// <summary>A new key pair on <paramref name="curve"/> (P-256 or P-384), or null when this path is unavailable.</summary>
    public static ECDsa? TryGenerate(ECCurve curve)
    {
        var group = curve.Oid?.Value switch
        {
            SignatureKeys.P256Oid => "P-256\0"u8,
            SignatureKeys.P384Oid => "P-384\0"u8,
            _ => default,
        };
        if (!OperatingSystem.IsLinux() || Native is not { } native || group.IsEmpty)
        {
            return null;
        }

        IntPtr context;
        fixed (byte* algorithm = "EC\0"u8)
        {
            context = native.NewContextFromName(IntPtr.Zero, algorithm, null);
        }

        if (context == IntPtr.Zero)
        {
            return null;
        }

        IntPtr key = IntPtr.Zero;
        try
        {
            fixed (byte* groupName = group)
            {
                if (native.KeygenInit(context) != 1 || native.SetGroupName(context, groupName) != 1 || native.Generate(context, &key) != 1 || key == IntPtr.Zero)
                {
                    return null;
                }
            }
        }
        finally
        {
            native.FreeContext(context);
        }

        // The handle owns our reference; ECDsaOpenSsl takes its own, so disposing the handle here is correct.
        using var handle = new SafeEvpPKeyHandle(key, ownsHandle: true);
        return new ECDsaOpenSsl(handle);
    }

    private sealed class Functions
    {
        public delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> NewContextFromName;
        public delegate* unmanaged<IntPtr, int> KeygenInit;
        public delegate* unmanaged<IntPtr, byte*, int> SetGroupName;
        public delegate* unmanaged<IntPtr, IntPtr*, int> Generate;
        public delegate* unmanaged<IntPtr, void> FreeContext;

        public static Functions? Load()
        {
            // Only the library .NET itself uses: an EVP_PKEY from another copy of OpenSSL must never reach ECDsaOpenSsl.
            if (!OperatingSystem.IsLinux() || SafeEvpPKeyHandle.OpenSslVersion < 0x3000_0000L || !NativeLibrary.TryLoad("libcrypto.so.3", out var library))
            {
                return null;
            }

            try
            {
                return new Functions
                {
                    NewContextFromName = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)NativeLibrary.GetExport(library, "EVP_PKEY_CTX_new_from_name"),
                    KeygenInit = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "EVP_PKEY_keygen_init"),
                    SetGroupName = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(library, "EVP_PKEY_CTX_set_group_name"),
                    Generate = (delegate* unmanaged<IntPtr, IntPtr*, int>)NativeLibrary.GetExport(library, "EVP_PKEY_generate"),
                    FreeContext = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "EVP_PKEY_CTX_free"),
                };
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }
    }
}
