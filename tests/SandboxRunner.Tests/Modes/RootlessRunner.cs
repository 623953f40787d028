using System.Diagnostics;
using BenchPlatform.TestCommon;

namespace BenchPlatform.SandboxRunner.Tests.Modes;

/// <summary>
/// The real runner started as an ordinary user (<c>nobody</c>, through <c>setpriv</c>), in its own process: the
/// rootless mode, with unprivileged user namespaces and no cgroups.
/// </summary>
public sealed class RootlessRunner : IAsyncLifetime
{
    public const string Token = "rootless-test-token-51d2";
    private readonly int _port = FreePort.Next();
    private Process? _process;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name; // Debug or Release
        var folder = Path.Combine(RepoPaths.Root, "SandboxRunner", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("setpriv")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i", "HOME=/tmp", "PATH=/usr/bin:/bin",
            "DOTNET_CLI_TELEMETRY_OPTOUT=1", $"ASPNETCORE_URLS=http://127.0.0.1:{_port}", $"Internal__Token={Token}",
            "Sandbox__PoolSize=1", "Sandbox__MaxJails=2", "Sandbox__TmpfsMb=16", "Logging__LogLevel__Default=Warning",
            Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!)!, "dotnet"), Path.Combine(folder, "SandboxRunner.dll"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Add("X-Internal-Token", Token);
        await Wait.UntilAsync(
            async () =>
            {
                Assert.False(_process.HasExited, $"the rootless runner exited with {(_process.HasExited ? _process.ExitCode : 0)}");
                try
                {
                    using var response = await Client.GetAsync("/health");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60), "the rootless runner did not answer /health");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
