using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>
/// One started jail: the bootstrap's process tree with a zygote inside that serves runs one at a time over
/// length-prefixed JSON frames on its stdin and stdout.
/// </summary>
internal sealed partial class JailProcess : IAsyncDisposable
{
    private const int MaxMetaBytes = 64 << 10;
    private const int UnshareFailedExitCode = 71; // jail.py's launcher: unshare(CLONE_NEWUSER | …) failed
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Stream _toJail;
    private readonly Stream _fromJail;
    private readonly ILogger _logger;
    private readonly byte[] _lengthBuffer = new byte[4];
    private volatile bool _broken;

    private JailProcess(int id, Process process, CgroupSlot? cgroup, ILogger logger)
    {
        Id = id;
        _process = process;
        Cgroup = cgroup;
        _logger = logger;
        _toJail = process.StandardInput.BaseStream;
        _fromJail = process.StandardOutput.BaseStream;
    }

    public int Id { get; }

    /// <summary>The zygote's report of what it set up.</summary>
    public JailHello Hello { get; private set; } = null!;

    /// <summary>The jail's cgroups, where the host has them.</summary>
    public CgroupSlot? Cgroup { get; }

    /// <summary>Whether the uid the jail runs as is one of its own (the runner runs as root) rather than the runner's.</summary>
    public bool SeparateUid { get; private init; }

    /// <summary>When the jail last went idle (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>How long the start took, from spawning the bootstrap to the zygote's hello.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>False once a run broke the protocol, timed out past the grace or the process exited.</summary>
    public bool IsUsable => !_broken && !_process.HasExited;

    /// <summary>Spawns the bootstrap and waits for the zygote's hello.</summary>
    public static async Task<JailProcess> StartAsync(
        int id, SandboxOptions options, CgroupRoot? cgroupRoot, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cgroup = cgroupRoot is null ? null : CgroupSlot.Create(cgroupRoot, id, options.MaxProcesses);
        var isRoot = NativeMethods.GetEffectiveUserId() == 0;
        var uid = isRoot ? options.JailUidBase + (id % 100_000) : (int)NativeMethods.GetEffectiveUserId();
        var gid = isRoot ? uid : (int)NativeMethods.GetEffectiveGroupId();
        var config = new JailConfig(
            options.PreparedRuns, uid, gid, (long)options.TmpfsMb << 20, options.MaxFiles, cgroup?.ProcsFiles ?? [],
            options.ReadOnlyPaths, options.EffectivePythonPaths, options.EffectivePreloadModules);

        var startInfo = new ProcessStartInfo(options.PythonPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        startInfo.Environment.Clear(); // nothing of the runner's environment (tokens, connection strings) enters a jail
        startInfo.ArgumentList.Add("-I");
        startInfo.ArgumentList.Add("-S");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(JailScript.Source);
        startInfo.ArgumentList.Add(JsonSerializer.Serialize(config, JailJsonContext.Default.JailConfig));

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{options.PythonPath} did not start.");
        }
        catch
        {
            cgroup?.Dispose();
            throw;
        }

        var jail = new JailProcess(id, process, cgroup, logger) { SeparateUid = isRoot };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                LogJailStderr(logger, id, e.Data);
            }
        };
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            var hello = await jail.ReadFrameAsync(MaxMetaBytes, timeout.Token);
            try
            {
                jail.Hello = JsonSerializer.Deserialize(hello.AsSpan(0, hello.Length), JailJsonContext.Default.JailHello)
                    ?? throw new InvalidDataException("empty hello");
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(hello.Array);
            }
        }
        catch (Exception ex)
        {
            // Read before the dispose, which releases the process object.
            var exitCode = process.WaitForExit(TimeSpan.FromMilliseconds(200)) ? process.ExitCode : (int?)null;
            await jail.DisposeAsync();
            var why = ex is OperationCanceledException ? $"no hello within {StartTimeout.TotalSeconds} s" : ex.Message;
            throw new JailStartException(
                $"The jail did not start ({why}; exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}). " +
                (exitCode == UnshareFailedExitCode
                    ? "This host does not let the runner create user namespaces. Run the runner as root, or allow unprivileged user namespaces: " +
                      "sysctl -w user.max_user_namespaces=15000 (0 disables them), sysctl -w kernel.unprivileged_userns_clone=1 (older Debian kernels), " +
                      "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10 and later); in a container, a seccomp or AppArmor profile that allows unshare(CLONE_NEWUSER)."
                    : "The runner needs user namespaces (it runs as root or with unprivileged user namespaces enabled) and a system Python at Sandbox:PythonPath."),
                ex);
        }

        jail.StartDuration = Stopwatch.GetElapsedTime(started);
        return jail;
    }

    /// <summary>
    /// Sends one run and waits for its outcome. Past <paramref name="hardTimeout"/> the whole jail is killed from
    /// outside and <see cref="TimeoutException"/> is thrown; a broken protocol throws <see cref="JailLostException"/>.
    /// </summary>
    public async Task<JailOutcome> RunAsync(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> payload, int maxFrameBytes, TimeSpan hardTimeout)
    {
        using var timeout = new CancellationTokenSource(hardTimeout);
        var frames = new Rented[3];
        try
        {
            await WriteFrameAsync(header, timeout.Token);
            await WriteFrameAsync(payload, timeout.Token);
            await _toJail.FlushAsync(timeout.Token);

            var metaFrame = await ReadFrameAsync(MaxMetaBytes, timeout.Token);
            JailMeta meta;
            try
            {
                meta = JsonSerializer.Deserialize(metaFrame.AsSpan(0, metaFrame.Length), JailJsonContext.Default.JailMeta)
                    ?? throw new InvalidDataException("empty meta frame");
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(metaFrame.Array);
            }

            for (var i = 0; i < frames.Length; i++)
            {
                frames[i] = await ReadFrameAsync(maxFrameBytes, timeout.Token);
            }

            var outcome = new JailOutcome(
                meta with { Sizes = new JailSizes(frames[0].Length, frames[1].Length, frames[2].Length) },
                frames[0].Array, frames[1].Array, frames[2].Array);
            frames = [];
            return outcome;
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The jail gave no answer within {hardTimeout.TotalMilliseconds} ms and was killed.");
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or InvalidDataException or JsonException or ObjectDisposedException)
        {
            Kill();
            throw new JailLostException($"The jail broke off the run: {ex.Message}", ex);
        }
        finally
        {
            foreach (var frame in frames)
            {
                if (frame.Array is not null)
                {
                    ArrayPool<byte>.Shared.Return(frame.Array, clearArray: true);
                }
            }
        }
    }

    /// <summary>Kills every process of the jail now.</summary>
    public void Kill()
    {
        _broken = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        Cgroup?.KillAll();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _toJail.Close(); // the zygote exits on end of input
            }
            catch (IOException)
            {
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                await _process.WaitForExitAsync();
            }
        }

        Cgroup?.Dispose();
        _process.Dispose();
    }

    private async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_lengthBuffer, (uint)frame.Length);
        await _toJail.WriteAsync(_lengthBuffer, cancellationToken);
        if (!frame.IsEmpty)
        {
            await _toJail.WriteAsync(frame, cancellationToken);
        }
    }

    private async ValueTask<Rented> ReadFrameAsync(int maxBytes, CancellationToken cancellationToken)
    {
        await _fromJail.ReadExactlyAsync(_lengthBuffer, cancellationToken);
        var length = BinaryPrimitives.ReadUInt32BigEndian(_lengthBuffer);
        if (length > (uint)maxBytes)
        {
            throw new InvalidDataException($"frame of {length} bytes exceeds {maxBytes}");
        }

        var array = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)length));
        await _fromJail.ReadExactlyAsync(array.AsMemory(0, (int)length), cancellationToken);
        return new Rented(array, (int)length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jail {JailId} bootstrap: {Line}")]
    private static partial void LogJailStderr(ILogger logger, int jailId, string line);

    private readonly record struct Rented(byte[] Array, int Length)
    {
        public ReadOnlySpan<byte> AsSpan(int start, int length) => Array.AsSpan(start, length);
    }
}
