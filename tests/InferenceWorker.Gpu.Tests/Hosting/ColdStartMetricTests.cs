using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.ServiceDefaults;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.DependencyInjection;

namespace BenchPlatform.InferenceWorker.Tests.Hosting;

/// <summary>A replica's start is published by phase on the platform meter, so the dashboard can chart cold starts.</summary>
[Collection(InferenceCollection.Name)]
public sealed class ColdStartMetricTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Start_WithAPreloadedModel_RecordsEachPhaseOnceAndReadyCoversThemAll()
    {
        var database = await postgres.CreateDatabaseAsync();
        var storage = Path.Combine(Path.GetTempPath(), $"benchplatform-coldstart-{Guid.NewGuid():N}");
        // The host's meter factory exists only once it is built, so listen to every meter of the name and keep each
        // measurement's meter scope (hosts of other tests may start meanwhile).
        var measured = new ConcurrentQueue<(object? Scope, string Phase, double Ms)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PlatformTelemetry.MeterName && instrument.Name == "inference.cold_start")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measured.Enqueue((instrument.Meter.Scope, (string)tags.ToArray().Single(t => t.Key == "phase").Value!, value)));
        listener.Start();
        try
        {
            await using (var seed = await WorkerHost.StartAsync(database, null, storageRoot: storage))
            {
                await seed.UploadOkAsync("mlp", SampleModels.Mlp());
            }

            await using var host = await WorkerHost.StartAsync(database, null,
                new Dictionary<string, string?> { ["Inference:Preload:0"] = "mlp" }, storage);

            var scope = host.Services.GetRequiredService<IMeterFactory>();
            var phases = measured.Where(m => ReferenceEquals(m.Scope, scope)).ToDictionary(m => m.Phase, m => m.Ms);
            Assert.Equal(["preload", "ready", "registry", "runtime"], phases.Keys.Order());
            Assert.All(phases.Values, ms => Assert.True(ms > 0, $"a phase of {ms} ms"));
            Assert.True(phases["ready"] >= phases["runtime"] + phases["registry"] + phases["preload"],
                $"ready {phases["ready"]} ms is shorter than its phases: {string.Join(", ", phases)}");
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }
}
