using System.Runtime.InteropServices;

namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>The <c>dotnet</c> executable that runs this process, used to start services and tools.</summary>
public static class DotNetHost
{
    /// <summary>The full path of <c>dotnet</c>: the muxer of the running runtime, else the one on PATH.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        // The runtime lives in {root}/shared/Microsoft.NETCore.App/{version}/; the muxer is {root}/dotnet.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var muxer = System.IO.Path.GetFullPath(System.IO.Path.Combine(runtime, "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(muxer) ? muxer : ExecutableLocator.Find("dotnet") ?? "dotnet";
    }
}
