using BenchPlatform.AppHost.Hosting;

namespace BenchPlatform.AppHost.Tests.Hosting;

/// <summary>The Aspire settings the AppHost chooses for DCP when the user has not.</summary>
public sealed class OrchestratorDefaultsTests
{
    [Fact]
    public void DependencyCheckTimeout_NotSet_GivesDcp120Seconds()
    {
        var builder = DistributedApplication.CreateBuilder([]);

        builder.AddProject<Projects.InferenceWorker_Gpu>("inference");

        Assert.Equal("120", builder.Configuration["DcpPublisher:DependencyCheckTimeout"]);
    }

    [Fact]
    public void DependencyCheckTimeout_SetOnTheCommandLine_IsKept()
    {
        var builder = DistributedApplication.CreateBuilder(["--dcp-dependency-check-timeout", "40"]);

        builder.AddProject<Projects.InferenceWorker_Gpu>("inference");

        Assert.Equal("40", builder.Configuration["DcpPublisher:DependencyCheckTimeout"]);
    }
}
