using System.Diagnostics;
using BenchPlatform.TestCommon;

namespace BenchPlatform.AppHost.Tests.EndToEnd;

/// <summary>The README's first command on a fresh clone, as a new user runs it: nothing restored, no Redis installed.</summary>
[Collection(StackCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FreshCloneTests
{
    [Fact]
    public async Task FreshClone_NoRedisServerAndNoToolRestored_DotnetRunProjectAppHostReachesHealthyOnGarnet()
    {
        var clone = Path.Combine(Path.GetTempPath(), $"benchplatform-clone-{Guid.NewGuid():N}");
        try
        {
            await GitCloneAsync(RepoPaths.Root, clone);
            using var bin = new SandboxPath("setpriv", "chown");
            var environment = new Dictionary<string, string?>
            {
                ["PATH"] = bin.Path,
                // No MSBuild node or build server may outlive the command (they would be processes left running).
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                ["UseSharedCompilation"] = "false",
            };

            await using var stack = AppHostProcess.RunFromSource(clone, environment: environment);
            await stack.WaitHealthyAsync(TimeSpan.FromMinutes(10));

            var health = (await stack.GetGatewayHealthAsync())!.Value;
            Assert.Equal("connected", health.GetProperty("redis").GetString());
            Assert.Equal("connected", health.GetProperty("database").GetString());
            Assert.Contains("cache ready: garnet", stack.Output, StringComparison.Ordinal);
            Assert.Contains(stack.Descendants(), c => c.CommandLine.Contains("GarnetServer.dll", StringComparison.Ordinal));
            Assert.Empty(await stack.StopAsync());
        }
        finally
        {
            if (Directory.Exists(clone))
            {
                Directory.Delete(clone, recursive: true);
            }
        }
    }

    private static async Task GitCloneAsync(string source, string destination)
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["clone", "--quiet", "--no-hardlinks", source, destination])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git clone failed: {error}");
    }
}
