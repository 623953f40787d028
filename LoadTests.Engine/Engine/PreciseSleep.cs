using System.Runtime.InteropServices;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Waits shorter than a millisecond without spinning a core: <c>usleep</c> on Linux (high-resolution timers),
/// a yield elsewhere. The dispatcher of the open model uses it between requests due less than 2 ms apart.
/// </summary>
internal static partial class PreciseSleep
{
    public static void Microseconds(long micros)
    {
        if (micros <= 0)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            _ = USleep((uint)Math.Min(micros, 1_000_000));
        }
        else
        {
            Thread.Yield();
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
