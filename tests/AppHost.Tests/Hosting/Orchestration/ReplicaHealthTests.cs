using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Servers;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

[Collection(EndToEnd.StackCollection.Name)]
public sealed class ReplicaHealthTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"replica-health-{Guid.NewGuid():N}");

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }

    [Fact]
    public async Task Replica_NeverHealthyAtStart_IsRestartedNeverPutInRotationAndTheStartFails()
    {
        // A real gateway whose database is unreachable answers /health with 503 for as long as it runs.
        var builder = DistributedApplication.CreateBuilder([]);
        var gateway = builder.AddProject<Projects.Gateway>("gateway")
            .WithEnvironment("ConnectionStrings__registry", "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=1");
        var options = new AppHostOptions { StateFolder = _state, HealthTimeout = TimeSpan.FromSeconds(4), RestartDelay = TimeSpan.FromMilliseconds(50) };
        var lifetime = new Lifetime();
        using var orchestrator = TestOrchestrator.Create(builder, options, lifetime);
        var states = new List<ReplicaState>();
        var runner = orchestrator.Runner(gateway.Resource);
        runner.Changed += r =>
        {
            lock (states)
            {
                states.AddRange(r.Replicas.Select(x => x.State));
            }
        };
        var pids = new HashSet<int>();

        await orchestrator.StartAsync(CancellationToken.None);
        var stopped = new TaskCompletionSource();
        lifetime.ApplicationStopping.Register(stopped.SetResult);
        using (var sampling = new CancellationTokenSource())
        {
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (runner.Replicas.FirstOrDefault()?.ProcessId is { } pid)
                    {
                        pids.Add(pid);
                    }

                    await Task.Delay(20);
                }
            });
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(90));
            await sampling.CancelAsync();
            await sampler;
        }

        Assert.Equal(1, Environment.ExitCode);
        Environment.ExitCode = 0;
        Assert.True(pids.Count >= 3, $"expected three separate processes, saw {pids.Count}");
        lock (states)
        {
            Assert.DoesNotContain(ReplicaState.Ready, states);
            Assert.Contains(ReplicaState.Restarting, states);
        }

        Assert.Contains(orchestrator.Events, e => e.Replica == "gateway-0" && e.Event == "gave-up"
            && e.Detail!.Contains("did not report healthy within 4 s", StringComparison.Ordinal));
        await orchestrator.StoppingAsync(CancellationToken.None);
        Assert.All(pids, pid => Assert.False(ProcessTree.IsAlive(pid), $"{pid} is still alive"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
