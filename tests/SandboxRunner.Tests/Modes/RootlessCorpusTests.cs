using System.Net.Http.Json;
using System.Text.Json;

namespace BenchPlatform.SandboxRunner.Tests.Modes;

/// <summary>
/// Hostile-corpus cases against the runner in its rootless mode (started as <c>nobody</c>). Each case says what it must
/// give as root with cgroup v1 (<c>Corpus/HostileCorpusTests</c>) and rootless, and the next normal run must succeed.
/// </summary>
public sealed class RootlessCorpusTests(RootlessRunner runner) : IClassFixture<RootlessRunner>, IAsyncLifetime
{
    private HttpClient Client => runner.Client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Client.AssertNormalRunSucceedsAsync();

    [Fact]
    public async Task Health_SaysRootlessAndWhatIsLost()
    {
        var root = await Client.GetFromJsonAsync<JsonElement>("/health");
        var data = root.GetProperty("checks").GetProperty("sandbox").GetProperty("data");

        Assert.Equal("degraded", root.GetProperty("status").GetString());
        Assert.Equal("rootless, rlimits only", data.GetProperty("mode").GetString());
        Assert.Equal(["separate_uid", "cgroup_memory", "cgroup_pids"], data.GetProperty("missing_features").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("seccomp", data.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("runner's own host uid", data.GetProperty("lost").GetProperty("separate_uid").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryBomb_IsMemoryLimit()
    {
        // root + cgroup v1: memory_limit (RLIMIT_AS, the cgroup behind it). rootless: memory_limit (RLIMIT_AS).
        var result = await Client.RunAsync("def run(inputs):\n    x = bytearray(10**10)\n    return {}", limits: new { memory_mb = 128 });

        Assert.Equal("memory_limit", result.Status());
    }

    [Fact]
    public async Task ForkBomb_IsContained()
    {
        // root + cgroup v1: error or timeout, held by the pids cgroup and RLIMIT_NPROC. rootless: error or timeout,
        // held by RLIMIT_NPROC in the jail's own user namespace; the run's PID namespace dies with it.
        var result = await Client.RunAsync("import os\ndef run(inputs):\n    while True:\n        os.fork()", limits: new { timeout_ms = 2000 });

        Assert.Contains(result.Status(), new[] { "error", "timeout" });
    }

    [Fact]
    public async Task BusyLoop_TimesOut()
    {
        // Both modes: timeout (the zygote's wall clock; RLIMIT_CPU behind it).
        var result = await Client.RunAsync("def run(inputs):\n    while True:\n        pass", limits: new { timeout_ms = 300 });

        Assert.Equal("timeout", result.Status());
    }

    [Fact]
    public async Task HostFilesAndNetwork_AreOutOfReach()
    {
        // Both modes: no /etc, no /home, no /proc, and no network at all (a down loopback in the jail's own namespace).
        var result = await Client.RunAsync("""
            import os, socket
            def run(inputs):
                seen = {p: os.path.exists(p) for p in ('/etc/passwd', '/home', '/proc/self', '/root')}
                try:
                    socket.create_connection(('127.0.0.1', 22), timeout=1)
                    net = 'connected'
                except OSError as e:
                    net = type(e).__name__
                return {'seen': seen, 'net': net, 'uid': os.getuid(), 'pid': os.getpid()}
            """);

        Assert.Equal("ok", result.Status());
        var outputs = result.GetProperty("outputs");
        Assert.All(outputs.GetProperty("seen").EnumerateObject(), p => Assert.False(p.Value.GetBoolean(), p.Name));
        Assert.NotEqual("connected", outputs.GetProperty("net").GetString());
        Assert.Equal(0, outputs.GetProperty("uid").GetInt32()); // jail root, mapped to nobody outside
        Assert.Equal(1, outputs.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task LeftoverProcess_CannotReachTheNextRuns()
    {
        // Both modes: a process a run leaves is in that run's PID namespace, killed with it, and invisible to later runs.
        var first = await Client.RunAsync(
            "import os, time\ndef run(inputs):\n    if os.fork() == 0:\n        os.setsid()\n        end = time.time() + 5\n" +
            "        while time.time() < end:\n            os.kill(-1, 9)\n    return {'left': True}");
        Assert.Equal("ok", first.Status());
        for (var i = 0; i < 3; i++)
        {
            var next = await Client.RunAsync(
                "import os\ndef run(inputs):\n    seen = []\n    for pid in range(2, 200):\n        try:\n" +
                "            os.kill(pid, 0)\n            seen.append(pid)\n        except OSError:\n            pass\n    return {'seen': seen}");
            Assert.Equal("ok", next.Status());
            Assert.Empty(next.GetProperty("outputs").GetProperty("seen").EnumerateArray());
        }
    }

    [Fact]
    public async Task TmpIsFreshAndPrivilegesAreGone()
    {
        // Both modes: an empty /tmp per run, no capabilities, no_new_privs, seccomp filter mode.
        await Client.RunAsync("def run(inputs):\n    open('/tmp/left', 'w').write('x')\n    return {}");
        var result = await Client.RunAsync("""
            import ctypes, os
            def run(inputs):
                libc = ctypes.CDLL(None)
                return {'tmp': os.listdir('/tmp'), 'nnp': libc.prctl(39, 0, 0, 0, 0), 'seccomp': libc.prctl(21, 0, 0, 0, 0),
                        'capbset_sys_admin': libc.prctl(23, 21, 0, 0, 0)}
            """);

        var outputs = result.GetProperty("outputs");
        Assert.Empty(outputs.GetProperty("tmp").EnumerateArray());
        Assert.Equal(1, outputs.GetProperty("nnp").GetInt32());
        Assert.Equal(2, outputs.GetProperty("seccomp").GetInt32());
        Assert.Equal(0, outputs.GetProperty("capbset_sys_admin").GetInt32());
    }
}
