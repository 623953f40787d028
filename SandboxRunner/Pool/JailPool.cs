using System.Diagnostics.Metrics;
using BenchPlatform.SandboxRunner.Jail;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.SandboxRunner.Pool;

/// <summary>
/// The warm pool: zygote jails started ahead of demand and reused run after run (each run is a fresh fork, so no
/// state survives), at most <see cref="SandboxOptions.MaxJails"/> runs at once, refilled in the background.
/// At start it probes the host with the first jail: it refuses to start only when no jail can start at all (unless
/// <see cref="SandboxOptions.AllowDegraded"/>), or when a feature is missing and <see cref="SandboxOptions.RequireAllFeatures"/>
/// is set; otherwise it runs in the mode the host allows and logs what each missing feature gives up.
/// </summary>
internal sealed partial class JailPool : IHostedService, IAsyncDisposable
{
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JailPool> _logger;
    private readonly SemaphoreSlim _runSlots;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private readonly List<JailProcess> _idle = [];
    private readonly CancellationTokenSource _stopping = new();
    private CgroupRoot? _cgroupRoot;
    private Task _maintenance = Task.CompletedTask;
    private int _live;
    private static int _nextId; // process-wide: jail ids name cgroups and host uids

    public JailPool(IOptions<SandboxOptions> options, TimeProvider time, ILogger<JailPool> logger, IMeterFactory meters)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _runSlots = new SemaphoreSlim(_options.MaxJails, _options.MaxJails);
        var meter = meters.Create(PlatformTelemetry.MeterName);
        meter.CreateObservableGauge("sandbox.pool.idle", () => IdleCount, "{jail}", "Warm jails waiting for a run (Sandbox:PoolSize keeps this many)");
        meter.CreateObservableGauge("sandbox.pool.live", () => LiveCount, "{jail}", "Jails started, idle or running (at most Sandbox:MaxJails)");
    }

    /// <summary>Features active in every jail this runner starts.</summary>
    public IReadOnlyList<string> ActiveFeatures { get; private set; } = [];

    /// <summary>Features of <see cref="JailFeatures.All"/> this host lacks (non-empty only in degraded mode).</summary>
    public IReadOnlyList<string> MissingFeatures { get; private set; } = JailFeatures.All;

    /// <summary>Modules the zygotes preloaded (numpy where installed).</summary>
    public IReadOnlyList<string> PreloadedModules { get; private set; } = [];

    /// <summary>The isolation mode, from the active features (e.g. "root, cgroup v1 limits" or "rootless, rlimits only").</summary>
    public string Mode { get; private set; } = "starting";

    /// <summary>Why jails cannot start, when they cannot (the runner then answers 503).</summary>
    public string? Unavailable { get; private set; } = "starting";

    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    public int LiveCount => Volatile.Read(ref _live);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _cgroupRoot = CgroupRoot.TryCreate(_options, out var cgroupProblem);
        if (cgroupProblem is not null)
        {
            LogCgroupsUnavailable(_logger, cgroupProblem);
        }

        JailProcess first;
        try
        {
            Interlocked.Increment(ref _live);
            first = await StartJailAsync(cancellationToken);
        }
        catch (JailStartException ex)
        {
            Interlocked.Decrement(ref _live);
            if (!_options.AllowDegraded)
            {
                throw new InvalidOperationException($"SandboxRunner refuses to start: {ex.Message} Set Sandbox__AllowDegraded=true to start anyway (runs then answer 503).", ex);
            }

            Unavailable = ex.Message;
            LogJailsUnavailable(_logger, ex.Message);
            return;
        }

        var active = new List<string>(first.Hello.Features);
        if (first.SeparateUid)
        {
            active.Add("separate_uid");
        }

        if (first.Cgroup is not null)
        {
            active.Add("cgroup_memory");
            active.Add("cgroup_pids");
        }

        ActiveFeatures = active;
        MissingFeatures = JailFeatures.All.Where(f => !active.Contains(f)).ToArray();
        PreloadedModules = first.Hello.Modules;
        Mode = JailFeatures.Mode(active);
        if (MissingFeatures.Count > 0)
        {
            var missing = string.Join(", ", MissingFeatures);
            if (_options.RequireAllFeatures)
            {
                await DiscardAsync(first);
                throw new InvalidOperationException(
                    $"SandboxRunner refuses to start: this host lacks the isolation features {missing}" +
                    (cgroupProblem is null ? "" : $" ({cgroupProblem})") +
                    ". Run it as root on a host with cgroup v1 memory and pids controllers, or unset Sandbox__RequireAllFeatures to run without them; /health then lists what is active.");
            }

            LogMode(_logger, Mode, missing);
            foreach (var feature in MissingFeatures)
            {
                LogLost(_logger, feature, JailFeatures.Lost(feature));
            }
        }

        Unavailable = null;
        LogStarted(_logger, Mode, first.StartDuration.TotalMilliseconds, string.Join(", ", active), string.Join(", ", PreloadedModules));
        Return(first);
        _maintenance = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Takes an idle jail (warm) or starts one (cold) and holds a run slot until <see cref="Release"/>;
    /// throws <see cref="PoolExhaustedException"/> when no slot frees up within the queue timeout.
    /// </summary>
    public async Task<JailLease> AcquireAsync(CancellationToken cancellationToken)
    {
        if (Unavailable is not null)
        {
            throw new PoolExhaustedException($"No jail can start on this host: {Unavailable}");
        }

        var queued = _time.GetTimestamp();
        if (!await _runSlots.WaitAsync(TimeSpan.FromMilliseconds(_options.QueueTimeoutMs), cancellationToken))
        {
            throw new PoolExhaustedException(
                $"All {_options.MaxJails} jails stayed busy for {_options.QueueTimeoutMs} ms.");
        }

        var queue = _time.GetElapsedTime(queued);
        try
        {
            while (TryTakeIdle(out var jail))
            {
                if (jail.IsUsable)
                {
                    return new JailLease(jail, Warm: true, queue, TimeSpan.Zero);
                }

                _ = DiscardAsync(jail);
            }

            Interlocked.Increment(ref _live);
            JailProcess cold;
            try
            {
                cold = await StartJailAsync(cancellationToken);
            }
            catch
            {
                Interlocked.Decrement(ref _live);
                throw;
            }

            _wake.Release(); // the pool was empty: let the refill loop catch up
            return new JailLease(cold, Warm: false, queue, cold.StartDuration);
        }
        catch
        {
            _runSlots.Release();
            throw;
        }
    }

    /// <summary>Gives the jail of a finished run back: to the pool when it is still sound and wanted, else it is stopped.</summary>
    public void Release(JailLease lease)
    {
        var keep = lease.Jail.IsUsable && (_options.PoolSize > 0 || _options.IdleTimeoutMs > 0) && !_stopping.IsCancellationRequested;
        if (keep)
        {
            Return(lease.Jail);
        }
        else
        {
            _ = DiscardAsync(lease.Jail);
            _wake.Release();
        }

        _runSlots.Release();
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // disposing the container stopped it already
        }

        await _maintenance;
        List<JailProcess> idle;
        lock (_gate)
        {
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var jail in idle)
        {
            await DiscardAsync(jail);
        }

        _cgroupRoot?.Remove();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
        }

        _stopping.Dispose();
        _runSlots.Dispose();
        _wake.Dispose();
    }

    private bool TryTakeIdle(out JailProcess jail)
    {
        lock (_gate)
        {
            if (_idle.Count > 0)
            {
                jail = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                return true;
            }
        }

        jail = null!;
        return false;
    }

    private void Return(JailProcess jail)
    {
        jail.IdleSince = _time.GetTimestamp();
        lock (_gate)
        {
            _idle.Add(jail);
        }
    }

    private async Task<JailProcess> StartJailAsync(CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        return await JailProcess.StartAsync(id, _options, _cgroupRoot, _logger, cancellationToken);
    }

    private async Task DiscardAsync(JailProcess jail)
    {
        try
        {
            await Task.Run(async () => await jail.DisposeAsync());
        }
        finally
        {
            Interlocked.Decrement(ref _live);
        }
    }

    /// <summary>Keeps <see cref="SandboxOptions.PoolSize"/> jails started and stops idle extras after the idle timeout.</summary>
    private async Task MaintainAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                while (Volatile.Read(ref _live) < _options.PoolSize && Volatile.Read(ref _live) < _options.MaxJails)
                {
                    Interlocked.Increment(ref _live);
                    try
                    {
                        Return(await StartJailAsync(stopping));
                    }
                    catch
                    {
                        Interlocked.Decrement(ref _live);
                        throw;
                    }
                }

                TrimIdle();
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRefillFailed(_logger, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void TrimIdle()
    {
        List<JailProcess>? stale = null;
        lock (_gate)
        {
            // Oldest first: the list is used as a stack, so the front holds the longest idle.
            while (_idle.Count > _options.PoolSize
                && _time.GetElapsedTime(_idle[0].IdleSince).TotalMilliseconds >= _options.IdleTimeoutMs)
            {
                (stale ??= []).Add(_idle[0]);
                _idle.RemoveAt(0);
            }

            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (!_idle[i].IsUsable)
                {
                    (stale ??= []).Add(_idle[i]);
                    _idle.RemoveAt(i);
                }
            }
        }

        foreach (var jail in stale ?? [])
        {
            _ = DiscardAsync(jail);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jails ready ({Mode}): first start {StartMs:F1} ms; features {Features}; preloaded {Modules}")]
    private static partial void LogStarted(ILogger logger, string mode, double startMs, string features, string modules);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox mode: {Mode}; the jails lack {Missing}")]
    private static partial void LogMode(ILogger logger, string mode, string missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Without {Feature}: {Lost}")]
    private static partial void LogLost(ILogger logger, string feature, string lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cgroups unavailable: {Problem}")]
    private static partial void LogCgroupsUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "No jail can start; runs will answer 503: {Problem}")]
    private static partial void LogJailsUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refilling the jail pool failed")]
    private static partial void LogRefillFailed(ILogger logger, Exception exception);
}
