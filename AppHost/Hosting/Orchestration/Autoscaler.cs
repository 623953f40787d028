using System.Text.Json;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// Polls the gateway's load signal (<c>GET /_internal/load</c>) and moves each autoscaled project's replica count
/// with its <see cref="ScaleDecider"/>; also lets a drained replica stop only once the gateway has nothing in flight on it.
/// </summary>
internal sealed partial class Autoscaler
{
    private readonly Orchestrator _orchestrator;
    private readonly ILogger _logger;
    private readonly Dictionary<ProjectRunner, ScaleDecider> _deciders = [];
    private readonly Dictionary<string, int> _destinationInflight = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _polls;

    public Autoscaler(Orchestrator orchestrator, ILogger logger)
    {
        _orchestrator = orchestrator;
        _logger = logger;
        foreach (var runner in orchestrator.Runners.Values.Where(r => r.Policy is not null))
        {
            _deciders[runner] = new ScaleDecider(runner.Policy!, orchestrator.Time);
        }
    }

    public bool HasWork => _deciders.Count > 0;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_orchestrator.Options.LoadPollInterval, _orchestrator.Time, cancellationToken);
                await PollOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException)
            {
                LogPollFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>Reads the load of every autoscaled project at the gateway(s) and applies the scaling rule.</summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var (runner, decider) in _deciders)
        {
            var (inflight, waiting, perDestination, answered) = await ReadLoadAsync(runner, cancellationToken);
            if (!answered)
            {
                continue;
            }

            runner.Inflight = inflight;
            runner.Waiting = waiting;
            lock (_lock)
            {
                foreach (var replica in runner.Replicas)
                {
                    _destinationInflight[replica.Id] = perDestination.GetValueOrDefault(replica.Id);
                }
            }

            var max = Math.Min(runner.Max, _orchestrator.Placement.Capacity);
            var next = decider.Decide(runner.Desired, inflight + waiting, runner.Min, max);
            if (next < runner.Desired && next >= runner.Min && runner.Replicas.Any(r => r.State == ReplicaState.Starting))
            {
                // Never scale down past a replica that is still starting: it was wanted moments ago and has served nothing.
                decider.Restart();
                continue;
            }

            if (next != runner.Desired)
            {
                LogScale(_logger, runner.Resource.Name, runner.Desired, next, inflight, waiting);
                await runner.ScaleToAsync(next, cancellationToken);
            }
        }

        Interlocked.Increment(ref _polls);
    }

    /// <summary>Waits until a load report taken after now shows nothing in flight on <paramref name="replica"/>.</summary>
    public async Task WaitDrainedAsync(ProjectRunner runner, Replica replica, CancellationToken cancellationToken)
    {
        var after = Interlocked.Read(ref _polls);
        var deadline = _orchestrator.Time.GetTimestamp() + (long)(_orchestrator.Options.DrainTimeout.TotalSeconds * _orchestrator.Time.TimestampFrequency);
        while (_orchestrator.Time.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Read(ref _polls) > after)
            {
                lock (_lock)
                {
                    if (_destinationInflight.GetValueOrDefault(replica.Id) == 0)
                    {
                        return;
                    }
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), _orchestrator.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        LogDrainTimedOut(_logger, replica.Id, _orchestrator.Options.DrainTimeout.TotalSeconds);
    }

    private async Task<(int Inflight, int Waiting, Dictionary<string, int> PerDestination, bool Answered)> ReadLoadAsync(
        ProjectRunner runner, CancellationToken cancellationToken)
    {
        int inflight = 0, waiting = 0;
        var perDestination = new Dictionary<string, int>(StringComparer.Ordinal);
        var answered = false;
        foreach (var consumer in _orchestrator.ConsumersOf(runner))
        {
            foreach (var replica in consumer.Replicas.Where(r => r.State == ReplicaState.Ready))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.Address + "_internal/load"));
                request.Headers.Add("X-Internal-Token", _orchestrator.InternalToken);
                using var response = await _orchestrator.Http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    continue;
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
                if (!document.RootElement.TryGetProperty("clusters", out var clusters)
                    || !clusters.TryGetProperty(runner.Resource.Name, out var cluster))
                {
                    continue;
                }

                answered = true;
                inflight += Int(cluster, "inflight");
                waiting += Int(cluster, "waiting");
                if (cluster.TryGetProperty("destinations", out var destinations) && destinations.ValueKind == JsonValueKind.Object)
                {
                    foreach (var destination in destinations.EnumerateObject())
                    {
                        perDestination[destination.Name] = perDestination.GetValueOrDefault(destination.Name) + Int(destination.Value, "inflight");
                    }
                }
            }
        }

        return (inflight, waiting, perDestination, answered);
    }

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : 0;

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "{Resource}: scale {From} -> {To} (in flight {Inflight}, waiting {Waiting})")]
    private static partial void LogScale(ILogger logger, string resource, int from, int to, int inflight, int waiting);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Load signal not read: {Error}")]
    private static partial void LogPollFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "{Replica} still had requests in flight after {Seconds:0} s of draining; stopping it anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, string replica, double seconds);
}
