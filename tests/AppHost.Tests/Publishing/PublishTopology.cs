using Aspire.Hosting.Testing;
using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>
/// Topologies for in-process publishing: the resources AppHost/Program.cs declares, read from its own entry point with
/// Aspire.Hosting.Testing (nothing is started), with the autoscale policy the tests choose.
/// </summary>
internal static class PublishTopology
{
    public static readonly AutoscalePolicy Policy = new(1, 6, 4, TimeSpan.FromSeconds(45));

    /// <summary>Program.cs's topology with inference autoscaled by <paramref name="policy"/> (none: two fixed replicas).</summary>
    public static IReadOnlyList<LocalResource> Stack(AutoscalePolicy? policy = null, bool autoscale = true)
    {
        // Not disposed: disposing the testing builder lets Program.cs go on into Run() and start the stack in this process.
        var builder = DistributedApplicationTestingBuilder.CreateAsync<Program>().GetAwaiter().GetResult();
        var resources = builder.Resources.OfType<LocalResource>().ToList();
        var inference = resources.OfType<LocalProjectResource>().Single(r => r.Name == "inference");
        inference.Autoscale = autoscale ? policy ?? Policy : null;
        inference.Replicas = autoscale ? inference.Autoscale!.Min : 2;
        return resources;
    }
}
