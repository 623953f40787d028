using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Orchestration;
using Microsoft.Extensions.Hosting;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

/// <summary>Which replicas get a Unix domain socket for the gateway's hop, and where.</summary>
public sealed class UnixSocketTests
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private static (Orchestrator Orchestrator, ProjectRunner Inference, ProjectRunner Gateway) Topology(string stateFolder)
    {
        var builder = DistributedApplication.CreateBuilder([]);
        var inference = builder.AddProject<Projects.InferenceWorker_Gpu>("inference");
        var gateway = builder.AddProject<Projects.Gateway>("gateway").WithReference(inference);
        var orchestrator = TestOrchestrator.Create(builder, new AppHostOptions { StateFolder = stateFolder }, new Lifetime());
        return (orchestrator, orchestrator.Runner(inference.Resource), orchestrator.Runner(gateway.Resource));
    }

    [Fact]
    public void UnixSocketFor_ProjectTheGatewayRoutesTo_IsInTheStateFoldersSocketFolder()
    {
        var state = Path.Combine(Path.GetTempPath(), "bp-state");
        var (orchestrator, inference, _) = Topology(state);
        using (orchestrator)
        {
            Assert.Equal(Path.Combine(state, "sockets"), orchestrator.SocketFolder);
            Assert.Equal(Path.Combine(state, "sockets", "inference-0.sock"), orchestrator.UnixSocketFor(inference, "inference-0"));
        }
    }

    [Fact]
    public void UnixSocketFor_ProjectNothingRoutesTo_IsNull()
    {
        var (orchestrator, _, gateway) = Topology(Path.Combine(Path.GetTempPath(), "bp-state"));
        using (orchestrator)
        {
            Assert.Null(orchestrator.UnixSocketFor(gateway, "gateway-0"));
        }
    }

    [Fact]
    public void UnixSocketFor_PathLongerThanASocketAddressHolds_IsNullSoTheReplicaIsReachedOverTcp()
    {
        var (orchestrator, inference, _) = Topology(Path.Combine(Path.GetTempPath(), new string('s', 100)));
        using (orchestrator)
        {
            Assert.Null(orchestrator.UnixSocketFor(inference, "inference-0"));
        }
    }
}
