using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>Topologies for in-process publishing: Program.cs's resources, with the autoscale policy the tests choose.</summary>
internal static class PublishTopology
{
    public static readonly AutoscalePolicy Policy = new(1, 6, 4, TimeSpan.FromSeconds(45));

    /// <summary>Program.cs's topology with inference autoscaled by <paramref name="policy"/> (none: fixed replicas).</summary>
    public static IReadOnlyList<LocalResource> Stack(AutoscalePolicy? policy = null, bool autoscale = true)
    {
        policy ??= Policy;
        var builder = DistributedApplication.CreateBuilder([]);
        var cache = builder.AddRedis("cache");
        var registry = builder.AddPostgres("pg").AddDatabase("registry");
        var inference = builder.AddProject<Projects.InferenceWorker_Gpu>("inference")
            .WithReference(cache).WithReference(registry)
            .WaitFor(cache).WaitFor(registry)
            .WithEnvironment("Inference__RegisterSamples", "true")
            .WithPreload("mlp");
        inference = autoscale
            ? inference.WithAutoscale(policy.Min, policy.Max, policy.TargetInflightPerReplica, policy.ScaleDownWindow)
            : inference.WithReplicas(2);
        var sandbox = builder.AddProject<Projects.SandboxRunner>("sandbox")
            .WithReference(cache).WithReference(registry)
            .WaitFor(registry);
        builder.AddProject<Projects.Gateway>("gateway")
            .WithReference(cache).WithReference(registry)
            .WithReference(inference).WithReference(sandbox)
            .WithHttpEndpoint(port: 8080);
        return [.. builder.Resources.OfType<LocalResource>()];
    }
}
