using System.Runtime.InteropServices;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>POSIX signals the orchestrator sends to its children.</summary>
public static partial class ProcessSignals
{
    /// <summary>SIGINT: PostgreSQL's "fast shutdown".</summary>
    public const int SigInt = 2;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>SIGTERM: the polite stop every other child gets.</summary>
    public const int SigTerm = 15;

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; false when the process is gone.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is gone.</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
