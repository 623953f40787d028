using BenchPlatform.AppHost.Hosting.Servers;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

/// <summary>A PATH folder holding links to only the named programs, to run the AppHost as if the rest were not installed.</summary>
internal sealed class SandboxPath : IDisposable
{
    public SandboxPath(params string[] programs)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"benchplatform-path-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        foreach (var program in programs)
        {
            var target = ExecutableLocator.Find(program) ?? throw new InvalidOperationException($"{program} is needed for this test.");
            File.CreateSymbolicLink(System.IO.Path.Combine(Path, program), target);
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
