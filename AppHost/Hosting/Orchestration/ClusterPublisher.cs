using System.Text.Json.Serialization;
using System.Threading.Channels;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// Sends a cluster's whole destination set to every replica of a project that routes to it
/// (<c>PUT /_internal/clusters/{cluster}/destinations</c>) after each change, latest state wins, retried until accepted.
/// </summary>
internal sealed partial class ClusterPublisher
{
    private readonly ProjectRunner _consumer;
    private readonly ProjectRunner _cluster;
    private readonly Orchestrator _orchestrator;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _logger;
    private long _changes;
    private long _published;

    public ClusterPublisher(Orchestrator orchestrator, ProjectRunner consumer, ProjectRunner cluster, ILogger logger)
    {
        _orchestrator = orchestrator;
        _consumer = consumer;
        _cluster = cluster;
        _logger = logger;
        cluster.Changed += _ => Signal();
        consumer.ProcessStarted += _ => Signal();
    }

    public ProjectRunner Cluster => _cluster;

    /// <summary>Completes once the latest change has been accepted by every running consumer replica.</summary>
    public async Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _changes);
        var deadline = _orchestrator.Time.GetTimestamp() + (long)(timeout.TotalSeconds * _orchestrator.Time.TimestampFrequency);
        while (Interlocked.Read(ref _published) < target && _orchestrator.Time.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _orchestrator.Time, cancellationToken);
        }
    }

    public void Signal()
    {
        Interlocked.Increment(ref _changes);
        _signal.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = TimeSpan.FromMilliseconds(100);
        try
        {
            while (await _signal.Reader.WaitToReadAsync(cancellationToken))
            {
                _signal.Reader.TryRead(out _);
                var change = Interlocked.Read(ref _changes);
                if (await PublishAsync(cancellationToken))
                {
                    Interlocked.Exchange(ref _published, change);
                    retry = TimeSpan.FromMilliseconds(100);
                    continue;
                }

                await Task.Delay(retry, _orchestrator.Time, cancellationToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                _signal.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task<bool> PublishAsync(CancellationToken cancellationToken)
    {
        var replicas = _cluster.Replicas;
        var body = new DestinationSet(
            _cluster.Desired,
            _cluster.Max,
            [.. replicas.Where(r => r.State is ReplicaState.Starting or ReplicaState.Ready or ReplicaState.Draining)
                .Select(r => new Destination(r.Id, r.Address, r.State switch
                {
                    ReplicaState.Ready => "ready",
                    ReplicaState.Draining => "draining",
                    _ => "starting",
                }, r.UnixSocket))]);

        var all = true;
        foreach (var consumer in _consumer.Replicas)
        {
            if (consumer.ProcessId is null || consumer.State is ReplicaState.Stopped or ReplicaState.Restarting)
            {
                continue;
            }

            var uri = new Uri($"{consumer.Address}_internal/clusters/{_cluster.Resource.Name}/destinations");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = JsonContent.Create(body) };
                request.Headers.Add("X-Internal-Token", _orchestrator.Secrets.InternalToken);
                using var response = await _orchestrator.Http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    LogRejected(_logger, _cluster.Resource.Name, consumer.Id, (int)response.StatusCode);
                    all = false;
                }
            }
            catch (HttpRequestException ex)
            {
                LogUnreachable(_logger, _cluster.Resource.Name, consumer.Id, ex.Message);
                all = false;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                all = false;
            }
        }

        return all;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Destinations of {Cluster} not accepted by {Consumer}: HTTP {Status}; retrying")]
    private static partial void LogRejected(ILogger logger, string cluster, string consumer, int status);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Destinations of {Cluster} not delivered to {Consumer}: {Error}; retrying")]
    private static partial void LogUnreachable(ILogger logger, string cluster, string consumer, string error);

    private sealed record DestinationSet(
        [property: JsonPropertyName("desired")] int Desired,
        [property: JsonPropertyName("max")] int Max,
        [property: JsonPropertyName("destinations")] Destination[] Destinations);

    private sealed record Destination(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("address")] string Address,
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("unix_socket"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UnixSocket);
}
