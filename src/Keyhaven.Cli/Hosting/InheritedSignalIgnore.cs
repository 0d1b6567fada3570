using System.Globalization;
using System.Runtime.InteropServices;

namespace Keyhaven.Cli.Hosting;

/// <summary>
/// A signal a process starts with ignored (<c>nohup</c>, or a parent that ignored it) stays ignored: the .NET runtime
/// then installs no handler for it, and a <see cref="PosixSignalRegistration"/> never runs. A server that offers a
/// signal as a command (SIGHUP reloads) takes it back to the default first, so the registration that follows receives it.
/// </summary>
internal static class InheritedSignalIgnore
{
    private const int SigHup = 1;
    private const nint SigDfl = 0;
    private const nint SigErr = -1;

    /// <summary>
    /// Undoes an inherited "ignore" of SIGHUP (Linux: read from /proc/self/status). Call it just before registering a
    /// SIGHUP handler: from here until the registration, a SIGHUP has its default effect (it ends the process), as it
    /// would for a process that never inherited the ignore.
    /// </summary>
    /// <returns>False only when SIGHUP is ignored and could not be taken back (it then stays ignored).</returns>
    public static bool TryClearForSighup() =>
        !OperatingSystem.IsLinux() || !IsIgnored(SigHup) || Signal(SigHup, SigDfl) != SigErr;

    private static bool IsIgnored(int signal)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                var mask = ulong.Parse(line.AsSpan("SigIgn:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (mask & (1UL << (signal - 1))) != 0;
            }
        }

        return false;
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);
}
