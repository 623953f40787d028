using System.Runtime.InteropServices;

namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>The few POSIX calls the runner makes itself.</summary>
internal static partial class NativeMethods
{
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEffectiveGroupId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
