using System.Collections.Concurrent;
using System.Diagnostics;
using BenchPlatform.InferenceWorker.Caching;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.ServiceDefaults;
using BenchPlatform.TestCommon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
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
        using var cache = NewCache();
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

    private PredictionCache NewCache() => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = redis.ConnectionString }).Build(),
        Options.Create(new InferenceOptions()),
        NullLogger<PredictionCache>.Instance);
}
