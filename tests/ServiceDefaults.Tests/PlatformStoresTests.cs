using System.Collections.Concurrent;
using System.Diagnostics;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace BenchPlatform.ServiceDefaults.Tests;

/// <summary>
/// The stores' clients come from Aspire's integrations: registered only when configured, traced into the service's
/// telemetry, and an unreachable cache never holds up a start.
/// </summary>
public sealed class PlatformStoresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public void NoConnectionStrings_RegistersNeitherClient()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new());

        Assert.False(builder.AddRegistryDataSource());
        Assert.False(builder.AddCacheClient(TimeSpan.FromMilliseconds(500)));

        using var host = builder.Build();
        Assert.Null(host.Services.GetService<NpgsqlDataSource>());
        Assert.Null(host.Services.GetService<IConnectionMultiplexer>());
    }

    [Fact]
    public async Task Registry_QueryThroughTheRegisteredDataSource_IsASpanOfTheServicesTraces()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:registry"] = await postgres.CreateDatabaseAsync();
        var exported = new SpanCollector();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddProcessor(exported));
        Assert.True(builder.AddRegistryDataSource());
        using var host = builder.Build();
        await host.StartAsync();

        await using (var command = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT 41 + 1"))
        {
            Assert.Equal(42, await command.ExecuteScalarAsync());
        }

        // Npgsql's spans reach the tracer provider (and so the dashboard) only because the integration subscribes it.
        var query = Assert.Single(exported.Spans, s => s.Source.Name == "Npgsql" && s.TagObjects.Any(t => Equals(t.Value, "SELECT 41 + 1")));
        Assert.Equal(ActivityKind.Client, query.Kind);
        await host.StopAsync();
    }

    [Fact]
    public async Task Cache_NothingListening_StartsAtOnceDisconnectedAndCommandsFailWithinTheTimeout()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:cache"] = $"127.0.0.1:{FreePort.Next()}";
        Assert.True(builder.AddCacheClient(TimeSpan.FromMilliseconds(500)));
        using var host = builder.Build();

        var started = Stopwatch.StartNew();
        await host.StartAsync();
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var startTook = started.Elapsed;

        Assert.False(redis.IsConnected);
        Assert.True(startTook < TimeSpan.FromSeconds(5), $"the start waited {startTook} on an unreachable cache");
        var ping = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => redis.GetDatabase().PingAsync());
        Assert.True(ping.Elapsed < TimeSpan.FromSeconds(5), $"a command waited {ping.Elapsed} on an unreachable cache");
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task Registry_ACommandRun_IsLoggedBelowWarningsOnlyWhenConfigured(string? level, bool logged)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:registry"] = await postgres.CreateDatabaseAsync();
        builder.Configuration["Logging:LogLevel:Npgsql"] = level;
        var records = new LogCollector();
        builder.Logging.AddProvider(records);
        Assert.True(builder.AddRegistryDataSource());
        using var host = builder.Build();
        await host.StartAsync();

        await using (var command = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT 6 * 7"))
        {
            Assert.Equal(42, await command.ExecuteScalarAsync());
        }

        Assert.Equal(logged, records.Entries.Any(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal) && e.Message.Contains("SELECT 6 * 7", StringComparison.Ordinal)));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task Cache_AConnect_IsLoggedBelowWarningsOnlyWhenConfigured(string? level, bool logged)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:cache"] = $"127.0.0.1:{FreePort.Next()}";
        builder.Configuration["Logging:LogLevel:StackExchange.Redis"] = level;
        var records = new LogCollector();
        builder.Logging.AddProvider(records);
        Assert.True(builder.AddCacheClient(TimeSpan.FromMilliseconds(500)));
        using var host = builder.Build();
        await host.StartAsync();

        Assert.False(host.Services.GetRequiredService<IConnectionMultiplexer>().IsConnected);

        Assert.Equal(logged, records.Entries.Any(e => e.Category.StartsWith("StackExchange.Redis", StringComparison.Ordinal) && e.Level < LogLevel.Warning));
        await host.StopAsync();
    }

    private sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    private sealed class SpanCollector : BaseProcessor<Activity>
    {
        public ConcurrentQueue<Activity> Spans { get; } = new();

        public override void OnEnd(Activity data) => Spans.Enqueue(data);
    }
}
