using System.Collections.Concurrent;
using System.Diagnostics;
using BenchPlatform.InferenceWorker.Caching;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.ServiceDefaults;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Tests.Caching;

[Collection(InferenceCollection.Name)]
public sealed class PredictionCacheSpanTests(RedisFixture redis)
{
    [Fact]
    public async Task RedisCalls_ListenerAttached_EmitClientSpansTaggedRedis()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PlatformTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var host = NewHost();
        var cache = host.Services.GetRequiredService<PredictionCache>();
        await Wait.UntilAsync(() => Task.FromResult(cache.Available), TimeSpan.FromSeconds(10), "the cache never connected to Redis");
        var key = PredictionCache.Key("span-test", 1, Guid.NewGuid().ToString("N"));

        var miss = await cache.GetAsync(key);
        cache.Set(key, "[1]"u8.ToArray());

        Assert.Null(miss);
        Assert.Contains(spans, s => s.OperationName == "redis GET");
        var get = spans.First(s => s.OperationName == "redis GET" && Equals(s.GetTagItem("cache.hit"), false));
        Assert.Equal(ActivityKind.Client, get.Kind);
        Assert.Equal("redis", get.GetTagItem("db.system"));
        var set = spans.First(s => s.OperationName == "redis SET");
        Assert.Equal("redis", set.GetTagItem("db.system"));
    }

    /// <summary>The cache as the worker registers it: over the multiplexer of Aspire's Redis client integration.</summary>
    private IHost NewHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:cache"] = redis.ConnectionString;
        builder.AddCacheClient(TimeSpan.FromMilliseconds(500));
        builder.Services.AddSingleton(Options.Create(new InferenceOptions()));
        builder.Services.AddSingleton<PredictionCache>();
        return builder.Build();
    }
}
