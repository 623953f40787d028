using System.Runtime.InteropServices;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>POSIX signals the orchestrator sends to its children.</summary>
public static partial class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; false when the process is gone.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
