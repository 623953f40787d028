using System.Diagnostics;
using BenchPlatform.TestCommon;

namespace BenchPlatform.SandboxRunner.Tests.Pool;

/// <summary>The runner as a real process, killed with SIGKILL: its jails must not outlive it.</summary>
public sealed class RunnerCrashTests
{
    [Fact]
    public async Task RunnerKilled_JailsExitOnTheirOwn()
    {
        var port = FreePort.Next();
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SandboxRunner.dll"));
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        startInfo.Environment["Sandbox__PoolSize"] = "2";
        using var runner = Process.Start(startInfo)!;
        runner.BeginOutputReadLine();
        runner.BeginErrorReadLine();
        int[] jailPids = [];
        try
        {
            using var http = new HttpClient();
            await Wait.UntilAsync(async () =>
            {
                if (runner.HasExited)
                {
                    throw new InvalidOperationException($"the runner exited with {runner.ExitCode}");
                }

                using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
                jailPids = Directory.GetDirectories("/sys/fs/cgroup/pids", $"benchplatform-sandbox-{runner.Id}.*")
                    .SelectMany(Directory.GetDirectories)
                    .SelectMany(c => File.ReadAllLines(Path.Combine(c, "cgroup.procs"))).Select(int.Parse).ToArray();
                return response.IsSuccessStatusCode && jailPids.Length >= 8; // 2 jails x launcher, keeper, zygote, prepared child
            }, TimeSpan.FromSeconds(60), "the runner did not start 2 jails");
        }
        finally
        {
            runner.Kill(); // SIGKILL: no shutdown code runs
            await runner.WaitForExitAsync();
        }

        await Wait.UntilAsync(() => Task.FromResult(jailPids.All(IsGone)), TimeSpan.FromSeconds(10),
            "jail processes outlived the killed runner");

        // The next runner to start removes a dead runner's cgroup folders; this test cleans up after itself.
        foreach (var controller in new[] { "pids", "memory" })
        {
            foreach (var folder in Directory.GetDirectories($"/sys/fs/cgroup/{controller}", $"benchplatform-sandbox-{runner.Id}.*"))
            {
                foreach (var jail in Directory.GetDirectories(folder))
                {
                    Directory.Delete(jail);
                }

                Directory.Delete(folder);
            }
        }
    }

    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'); // a zombie waiting for init to reap it is gone
        }
        catch (IOException)
        {
            return true;
        }
    }
}
