using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.SandboxRunner.Tests.Corpus;

/// <summary>
/// The hostile-input corpus of issue 6, each item against the real jail: the runner and host survive it, the result
/// says what happened, and the next normal run succeeds.
/// </summary>
[Collection(JailCollection.Name)]
public sealed class HostileCorpusTests(SandboxFactory factory) : IAsyncLifetime
{
    private readonly HttpClient _client = factory.CreateRunnerClient();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _client.AssertNormalRunSucceedsAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task ForkBomb_IsContained_AndNoProcessSurvivesTheRun()
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    while True:\n        os.fork()", limits: new { timeout_ms = 3000 });

        Assert.Contains(result.Status(), new[] { "error", "timeout" });
        // Every jail is back to launcher, keeper, zygote and its prepared run children.
        await Wait.UntilAsync(
            () => Task.FromResult(SandboxFactory.JailPidsCgroups().All(c => File.ReadAllLines(Path.Combine(c, "cgroup.procs")).Length <= SandboxFactory.IdleJailProcesses)),
            TimeSpan.FromSeconds(10), "the fork bomb's processes were not all killed");
    }

    [Fact]
    public async Task BackgroundProcess_LeftByARun_IsKilledBeforeTheNextRun()
    {
        var result = await _client.RunAsync(
            "import os, time\ndef run(inputs):\n    if os.fork() == 0:\n        os.setsid()\n        time.sleep(1000)\n    return {'forked': True}");

        Assert.Equal("ok", result.Status());
        await Wait.UntilAsync(
            () => Task.FromResult(SandboxFactory.JailPidsCgroups().All(c => File.ReadAllLines(Path.Combine(c, "cgroup.procs")).Length <= SandboxFactory.IdleJailProcesses)),
            TimeSpan.FromSeconds(10), "the daemon a run left behind was not killed");
    }

    [Fact]
    public async Task MemoryBomb_HugeBytearray_ReportsMemoryLimit()
    {
        var result = await _client.RunAsync("def run(inputs):\n    x = bytearray(10**10)\n    return {}", limits: new { memory_mb = 128 });

        Assert.Equal("memory_limit", result.Status());
    }

    [Fact]
    public async Task MemoryBomb_GradualGrowth_ReportsMemoryLimit()
    {
        var result = await _client.RunAsync(
            "def run(inputs):\n    chunks = []\n    while True:\n        chunks.append(bytearray(1 << 20))",
            limits: new { memory_mb = 64, timeout_ms = 10000 });

        Assert.Equal("memory_limit", result.Status());
    }

    [Fact]
    public async Task BusyLoop_IsKilledAtTheTimeout()
    {
        var result = await _client.RunAsync("def run(inputs):\n    while True:\n        pass", limits: new { timeout_ms = 400 });

        Assert.Equal("timeout", result.Status());
        Assert.InRange(result.GetProperty("duration_ms").GetDouble(), 390, 3000);
    }

    [Fact]
    public async Task LongSleep_IsKilledAtTheTimeout()
    {
        var result = await _client.RunAsync("import time\ndef run(inputs):\n    time.sleep(1e6)", limits: new { timeout_ms = 300 });

        Assert.Equal("timeout", result.Status());
    }

    [Fact]
    public async Task EndlessPrinting_StopsAtTheStdoutCap()
    {
        var result = await _client.RunAsync("def run(inputs):\n    while True:\n        print('spam' * 100)");

        Assert.Equal("output_limit", result.Status());
        Assert.Equal(64 * 1024, result.GetProperty("stdout").GetString()!.Length);
    }

    [Fact]
    public async Task OneHugeLine_StopsAtTheStdoutCap()
    {
        var result = await _client.RunAsync("import sys\ndef run(inputs):\n    sys.stdout.write('x' * 50_000_000)\n    return {}");

        Assert.Equal("output_limit", result.Status());
        Assert.Equal(64 * 1024, result.GetProperty("stdout").GetString()!.Length);
    }

    [Fact]
    public async Task StderrFlood_StopsAtTheStderrCap()
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    while True:\n        os.write(2, b'e' * 4096)");

        Assert.Equal("output_limit", result.Status());
        Assert.Equal(64 * 1024, result.GetProperty("stderr").GetString()!.Length);
    }

    [Fact]
    public async Task InvalidUtf8Output_ComesBackAsReplacementCharacters()
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    os.write(1, b'ok \\xff\\xfe\\xc3 end')\n    return {}");

        Assert.Equal("ok", result.Status());
        Assert.Equal("ok \uFFFD\uFFFD\uFFFD end", result.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task FillingTheTmpfs_FailsInsideTheBlockWithNoSpace()
    {
        var result = await _client.RunAsync("""
            def run(inputs):
                try:
                    with open('/tmp/big', 'wb') as f:
                        while True:
                            f.write(b'\0' * (1 << 20))
                except OSError as e:
                    return {'errno': e.errno}
            """);

        Assert.Equal("ok", result.Status());
        Assert.Contains(result.GetProperty("outputs").GetProperty("errno").GetInt32(), new[] { 28, 27 }); // ENOSPC, EFBIG
    }

    [Fact]
    public async Task CreatingManyFiles_StopsAtTheInodeCap()
    {
        var result = await _client.RunAsync("""
            def run(inputs):
                n = 0
                try:
                    while True:
                        open(f'/tmp/f{n}', 'w').close()
                        n += 1
                except OSError as e:
                    return {'errno': e.errno, 'files': n}
            """);

        Assert.Equal("ok", result.Status());
        Assert.Equal(28, result.GetProperty("outputs").GetProperty("errno").GetInt32());
        Assert.InRange(result.GetProperty("outputs").GetProperty("files").GetInt32(), 1, 512);
    }

    [Fact]
    public async Task SocketToALoopbackServiceOfTheHost_CannotConnect()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await _client.RunAsync(
            "import socket\ndef run(inputs):\n    s = socket.socket()\n    s.settimeout(1)\n    s.connect(('127.0.0.1', inputs['port']))\n    return {'connected': True}",
            new { port });

        Assert.Equal("error", result.Status());
        Assert.Contains("unreachable", result.ErrorMessage(), StringComparison.OrdinalIgnoreCase);
        Assert.False(listener.Pending(), "the host listener saw a connection from the jail");
    }

    [Fact]
    public async Task SocketToARawInternetAddress_CannotConnect()
    {
        var result = await _client.RunAsync("import socket\ndef run(inputs):\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    return {}");

        Assert.Equal("error", result.Status());
        Assert.Contains("unreachable", result.ErrorMessage(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ResolvingADnsName_Fails()
    {
        var result = await _client.RunAsync("import socket\ndef run(inputs):\n    return socket.getaddrinfo('example.com', 443)");

        Assert.Equal("error", result.Status());
        Assert.Equal("gaierror", result.ErrorType());
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/etc/passwd")]
    [InlineData("/proc/1/environ")]
    [InlineData("/proc/self/environ")]
    [InlineData("/home")]
    [InlineData("/root/.bashrc")]
    [InlineData("/sys/fs/cgroup/memory/memory.limit_in_bytes")]
    public async Task ReadingHostFiles_FindsNothing(string path)
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    return {'exists': os.path.exists(inputs['path'])}", new { path });

        Assert.Equal("ok", result.Status());
        Assert.False(result.GetProperty("outputs").GetProperty("exists").GetBoolean(), $"{path} is visible in the jail");
    }

    [Fact]
    public async Task TheServicesOwnSettings_AreNotVisible()
    {
        var settings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var result = await _client.RunAsync(
            "import os\ndef run(inputs):\n    return {'exists': os.path.exists(inputs['path']), 'env': dict(os.environ), 'cwd_files': os.listdir('.')}",
            new { path = settings });

        Assert.Equal("ok", result.Status());
        var outputs = result.GetProperty("outputs");
        Assert.False(outputs.GetProperty("exists").GetBoolean());
        var env = outputs.GetProperty("env").GetRawText();
        Assert.DoesNotContain(SandboxFactory.Token, env, StringComparison.Ordinal);
        Assert.DoesNotContain("ConnectionStrings", env, StringComparison.Ordinal);
        Assert.Empty(outputs.GetProperty("cwd_files").EnumerateArray());
    }

    [Fact]
    public async Task HostTempFolder_IsNotVisible()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"bp-host-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "secret");
        try
        {
            var result = await _client.RunAsync("import os\ndef run(inputs):\n    return {'exists': os.path.exists(inputs['path']), 'tmp': os.listdir('/tmp')}", new { path = secret });

            Assert.False(result.GetProperty("outputs").GetProperty("exists").GetBoolean());
            Assert.Empty(result.GetProperty("outputs").GetProperty("tmp").EnumerateArray());
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Theory]
    [InlineData("/usr/lib/evil.py")]
    [InlineData("/evil")]
    [InlineData("/dev/evil")]
    public async Task WritingOutsideTheTmpfs_IsRefused(string path)
    {
        var result = await _client.RunAsync("def run(inputs):\n    open(inputs['path'], 'w').write('x')\n    return {}", new { path });

        Assert.Equal("error", result.Status());
        Assert.Contains(result.ErrorType(), new[] { "OSError", "PermissionError" });
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task SymlinkAndHardlinkTricks_ReachNoHostFile()
    {
        var before = SHA256.HashData(await File.ReadAllBytesAsync("/etc/passwd"));
        var result = await _client.RunAsync("""
            import os
            def run(inputs):
                out = {}
                os.symlink('/etc/passwd', '/tmp/link')
                try:
                    open('/tmp/link', 'a').write('evil:x:0:0::/:/bin/sh\n')
                    out['symlink_write'] = 'written'
                except OSError as e:
                    out['symlink_write'] = e.errno
                try:
                    os.link(os.__file__, '/tmp/hard')
                    out['hardlink'] = 'linked'
                except OSError as e:
                    out['hardlink'] = e.errno
                return out
            """);

        Assert.Equal("ok", result.Status());
        Assert.Equal(2, result.GetProperty("outputs").GetProperty("symlink_write").GetInt32()); // ENOENT: no /etc in the jail
        Assert.Contains(result.GetProperty("outputs").GetProperty("hardlink").GetInt32(), new[] { 1, 18 }); // EPERM or EXDEV
        Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync("/etc/passwd")));
        var next = await _client.RunAsync("import os\ndef run(inputs):\n    return os.listdir('/tmp')");
        Assert.Empty(next.GetProperty("outputs").EnumerateArray());
    }

    [Fact]
    public async Task KillEverything_ReachesOnlyTheRunsOwnProcesses()
    {
        // A run is PID 1 of its own PID namespace: kill(-1) from a process it forked reaches the run's other processes
        // only (not the run itself, as PID 1, nor the zygote, the prepared run children or other runs).
        var result = await _client.RunAsync(
            "import os, time\ndef run(inputs):\n    sibling = os.fork()\n    if sibling == 0:\n        time.sleep(30)\n        os._exit(0)\n" +
            "    killer = os.fork()\n    if killer == 0:\n        os.kill(-1, 9)\n        os._exit(0)\n" +
            "    os.waitpid(killer, 0)\n    _, status = os.waitpid(sibling, 0)\n    return {'me': os.getpid(), 'sibling_signal': os.WTERMSIG(status)}");

        Assert.Equal("ok", result.Status());
        Assert.Equal(1, result.GetProperty("outputs").GetProperty("me").GetInt32());
        Assert.Equal(9, result.GetProperty("outputs").GetProperty("sibling_signal").GetInt32());
    }

    [Fact]
    public async Task KillingTheParent_ReachesNothingOutsideTheRun()
    {
        // The run's parent (the zygote) is outside its PID namespace: getppid() is 0, pid 0 is the run's own process
        // group and pid 1 the run itself, which as PID 1 ignores signals it has no handler for.
        var result = await _client.RunAsync("import os, signal\ndef run(inputs):\n    os.kill(os.getppid(), 9)\n    os.kill(os.getppid(), signal.SIGTERM)\n    os.kill(1, signal.SIGINT)\n    return {'parent': os.getppid(), 'me': os.getpid()}");

        Assert.Equal("ok", result.Status());
        Assert.Equal(0, result.GetProperty("outputs").GetProperty("parent").GetInt32());
        Assert.Equal(1, result.GetProperty("outputs").GetProperty("me").GetInt32());
    }

    [Fact]
    public async Task LeftoverProcess_CannotReachTheNextRuns()
    {
        // One jail, so the runs below take turns in it: a process left by the first run signals everything it can for
        // as long as it lives; the runs after it see no such process and are not disturbed.
        await using var single = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "1", ["Sandbox:MaxJails"] = "1" });
        using var client = single.CreateRunnerClient();
        var first = await client.RunAsync(
            "import os, time\ndef run(inputs):\n    if os.fork() == 0:\n        os.setsid()\n        end = time.time() + 5\n" +
            "        while time.time() < end:\n            for pid in range(1, 200):\n                try:\n                    os.kill(pid, 9)\n" +
            "                except OSError:\n                    pass\n            os.kill(-1, 9)\n    return {'left': True}");
        Assert.Equal("ok", first.Status());
        for (var i = 0; i < 5; i++)
        {
            var next = await client.RunAsync(
                "import os, time\ndef run(inputs):\n    time.sleep(0.05)\n    seen = []\n    for pid in range(2, 200):\n        try:\n" +
                "            os.kill(pid, 0)\n            seen.append(pid)\n        except OSError:\n            pass\n    return {'seen': seen}");
            Assert.Equal("ok", next.Status());
            Assert.Empty(next.GetProperty("outputs").GetProperty("seen").EnumerateArray());
        }
    }

    [Fact]
    public async Task SysVIpcObjects_DoNotSurviveTheRun()
    {
        const string Create = "import ctypes\ndef run(inputs):\n    libc = ctypes.CDLL(None, use_errno=True)\n" +
            "    return {'id': libc.shmget(0x5eed, 4096, 0o1000 | 0o600), 'errno': ctypes.get_errno()}";
        const string Find = "import ctypes\ndef run(inputs):\n    libc = ctypes.CDLL(None, use_errno=True)\n" +
            "    return {'id': libc.shmget(0x5eed, 0, 0), 'errno': ctypes.get_errno()}";
        await using var single = new SandboxFactory(new Dictionary<string, string?> { ["Sandbox:PoolSize"] = "1", ["Sandbox:MaxJails"] = "1" });
        using var client = single.CreateRunnerClient();

        var created = await client.RunAsync(Create);
        Assert.True(created.GetProperty("outputs").GetProperty("id").GetInt32() >= 0, created.ToString());
        var found = await client.RunAsync(Find);

        Assert.Equal(-1, found.GetProperty("outputs").GetProperty("id").GetInt32());
        Assert.Equal(2, found.GetProperty("outputs").GetProperty("errno").GetInt32()); // ENOENT: the next run has its own IPC namespace
    }

    [Fact]
    public async Task PtraceUnshareMountAndFriends_AreDenied()
    {
        var result = await _client.RunAsync("""
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            def call(nr, *args):
                r = libc.syscall(nr, *args)
                return [r, ctypes.get_errno()]
            def run(inputs):
                return {
                    'ptrace': call(101, 16, 1, 0, 0),          # PTRACE_ATTACH to the zygote
                    'unshare_user': call(272, 0x10000000),
                    'unshare_net': call(272, 0x40000000),
                    'mount': call(165, b'none', b'/tmp', b'tmpfs', 0, 0),
                    'setns': call(308, 0, 0),
                    'keyctl': call(250, 0, 0, 0, 0),
                    'bpf': call(321, 0, 0, 0),
                    'io_uring_setup': call(425, 1, 0),
                    'chroot': call(161, b'/tmp'),
                    'clone_newuser': call(56, 0x10000000 | 17, 0, 0, 0, 0),
                }
            """);

        Assert.Equal("ok", result.Status());
        foreach (var call in result.GetProperty("outputs").EnumerateObject())
        {
            Assert.True(call.Value[0].GetInt64() == -1, $"{call.Name} succeeded in the jail: {call.Value}");
            Assert.True(call.Value[1].GetInt32() is 1 or 38, $"{call.Name} failed with errno {call.Value[1]}, not EPERM");
        }
    }

    [Fact]
    public async Task NoCapabilitiesAndNoNewPrivileges_InTheRunChild()
    {
        var result = await _client.RunAsync("""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            def run(inputs):
                hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)
                data = (ctypes.c_uint32 * 6)()
                libc.capget(hdr, data)
                return {'caps': list(data), 'no_new_privs': libc.prctl(39, 0, 0, 0, 0), 'seccomp': libc.prctl(21, 0, 0, 0, 0)}
            """);

        var outputs = result.GetProperty("outputs");
        Assert.All(outputs.GetProperty("caps").EnumerateArray(), c => Assert.Equal(0u, c.GetUInt32()));
        Assert.Equal(1, outputs.GetProperty("no_new_privs").GetInt32());
        Assert.Equal(2, outputs.GetProperty("seccomp").GetInt32()); // SECCOMP_MODE_FILTER
    }

    [Fact]
    public async Task DeepRecursion_IsAnError()
    {
        var result = await _client.RunAsync("def f(n):\n    return f(n + 1)\ndef run(inputs):\n    return f(0)");

        Assert.Equal("error", result.Status());
        Assert.Equal("RecursionError", result.ErrorType());
    }

    [Fact]
    public async Task RecursionWithoutALimit_EndsOnlyTheRun()
    {
        var result = await _client.RunAsync(
            "import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return f(n + 1)\ndef run(inputs):\n    return f(0)",
            limits: new { timeout_ms = 3000, memory_mb = 64 });

        Assert.Contains(result.Status(), new[] { "error", "memory_limit", "timeout" });
    }

    [Fact]
    public async Task NonSerializableOutputs_AreAnErrorThatSaysSo()
    {
        var result = await _client.RunAsync("def run(inputs):\n    return {'x': object()}");

        Assert.Equal("error", result.Status());
        Assert.Equal("OutputNotSerializable", result.ErrorType());
    }

    [Fact]
    public async Task NaNOutputs_AreAnError()
    {
        var result = await _client.RunAsync("def run(inputs):\n    return {'x': float('nan')}");

        Assert.Equal("error", result.Status());
        Assert.Equal("OutputNotSerializable", result.ErrorType());
    }

    [Fact]
    public async Task DeeplyNestedOutputs_AreAnError()
    {
        var result = await _client.RunAsync("def run(inputs):\n    x = []\n    for _ in range(100000):\n        x = [x]\n    return {'x': x}");

        Assert.Equal("error", result.Status());
        Assert.Equal("OutputNotSerializable", result.ErrorType());
    }

    [Fact]
    public async Task DeeplyNestedInputs_AreRefusedWith400()
    {
        var nested = new string('[', 300) + new string(']', 300);
        using var response = await _client.PostAsync("/v1/blocks/run", new StringContent(
            "{\"code\":\"def run(i):\\n    return i\",\"inputs\":{\"x\":" + nested + "}}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ForgedResultFromAForkedChild_IsIgnored()
    {
        var result = await _client.RunAsync("import os\ndef run(inputs):\n    os.fork()\n    return {'pid': os.getpid()}");

        Assert.Equal("ok", result.Status());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("outputs").GetProperty("pid").ValueKind);
    }

    [Fact]
    public async Task HugeOutputs_ReportOutputLimit()
    {
        var result = await _client.RunAsync("def run(inputs):\n    return {'x': 'y' * (9 << 20)}");

        Assert.Equal("output_limit", result.Status());
    }

    [Fact]
    public async Task ChunkedBodyOverTheCap_IsRefusedWith400()
    {
        var body = new CountingStream(32L << 20);
        using var content = new StreamContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await _client.PostAsync("/v1/blocks/run", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ParallelRuns_RacingOnTheSamePaths_SeeOnlyTheirOwnFiles()
    {
        const string code = """
            import os, time
            def run(inputs):
                with open('/tmp/shared', 'w') as f:
                    f.write(str(inputs['id']))
                time.sleep(0.05)
                return {'read': int(open('/tmp/shared').read()), 'files': os.listdir('/tmp')}
            """;

        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(id => _client.RunAsync(code, new { id })));

        for (var id = 0; id < runs.Length; id++)
        {
            Assert.Equal("ok", runs[id].Status());
            Assert.Equal(id, runs[id].GetProperty("outputs").GetProperty("read").GetInt32());
            Assert.Equal(["shared"], runs[id].GetProperty("outputs").GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        }
    }

    [Fact]
    public async Task LeftoverFiles_AreInvisibleToTheNextRun()
    {
        for (var i = 0; i < 6; i++)
        {
            var result = await _client.RunAsync(
                "import os\ndef run(inputs):\n    seen = os.listdir('/tmp')\n    open('/tmp/leftover', 'w').write('x')\n    os.makedirs('/tmp/d/e')\n    return seen");
            Assert.Equal("ok", result.Status());
            Assert.Empty(result.GetProperty("outputs").EnumerateArray());
        }
    }

    [Fact]
    public async Task ModuleStateChangedByARun_DoesNotReachTheNextRun()
    {
        await _client.RunAsync("import json\ndef run(inputs):\n    json.dumps = None\n    import builtins\n    builtins.print = None\n    return {}");

        var result = await _client.RunAsync("import json\ndef run(inputs):\n    print('still here')\n    return json.loads(json.dumps({'a': 1}))");

        Assert.Equal("ok", result.Status());
        Assert.Equal("still here\n", result.GetProperty("stdout").GetString());
    }

    /// <summary>A body of spaces that counts how much of it was read.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        public long Produced { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => Produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Produced);
            buffer.AsSpan(offset, n).Fill((byte)' ');
            Produced += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
