using Aspire.Hosting.ApplicationModel;
using BenchPlatform.AppHost.Hosting;
using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Reporting;
using BenchPlatform.AppHost.Hosting.Resources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

/// <summary>An orchestrator over the local resources declared on a builder, outside an Aspire app host.</summary>
internal static class TestOrchestrator
{
    public static Orchestrator Create(IDistributedApplicationBuilder builder, AppHostOptions options, IHostApplicationLifetime lifetime)
    {
        var logs = new ResourceLoggerService();
        var notifications = new ResourceNotificationService(
            NullLogger<ResourceNotificationService>.Instance, lifetime, new ServiceCollection().BuildServiceProvider(), logs);
        return new(
            new Topology([.. builder.Resources.OfType<LocalResource>()]), Options.Create(options), lifetime, TimeProvider.System,
            NullLoggerFactory.Instance, [], new ResourceReporter(notifications, logs), new ConfigurationBuilder().Build());
    }
}
