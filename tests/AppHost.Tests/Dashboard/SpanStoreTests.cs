using BenchPlatform.AppHost.Dashboard.Traces;

namespace BenchPlatform.AppHost.Tests.Dashboard;

public sealed class SpanStoreTests
{
    private static int _next;

    private static SpanRecord Span(
        string trace, string? parent = null, string service = "gateway", string kind = "SERVER", long start = 1_000_000,
        long duration = 1_000, bool error = false, string? route = null, string? id = null)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route is not null)
        {
            tags["http.route"] = route;
            tags["http.request.method"] = "POST";
        }

        return new SpanRecord(trace, id ?? Interlocked.Increment(ref _next).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            parent, route ?? "work", kind, service, start, duration, error, tags);
    }

    private static string Trace(int i) => i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Add_MoreTracesThanTheBound_EvictsTheOldestFirst()
    {
        var store = new SpanStore(maxTraces: 3, maxSpansPerTrace: 10);

        for (var i = 0; i < 5; i++)
        {
            store.Add([Span(Trace(i))]);
        }

        Assert.Equal(3, store.TraceCount);
        Assert.Equal(2, store.EvictedTraces);
        Assert.Null(store.Get(Trace(0)));
        Assert.Null(store.Get(Trace(1)));
        Assert.NotNull(store.Get(Trace(4)));
        Assert.Equal(3, store.SpanCount);
    }

    [Fact]
    public void Add_SpansOfAKeptTrace_DoNotRefreshItsPlaceInLine()
    {
        var store = new SpanStore(maxTraces: 2, maxSpansPerTrace: 10);
        store.Add([Span(Trace(1))]);
        store.Add([Span(Trace(2))]);

        store.Add([Span(Trace(1), start: 2_000_000)]);
        store.Add([Span(Trace(3))]);

        Assert.Null(store.Get(Trace(1)));
        Assert.Equal(2, store.TraceCount);
    }

    [Fact]
    public void Add_MoreSpansThanTheTraceBound_DropsAndCountsTheRest()
    {
        var store = new SpanStore(maxTraces: 10, maxSpansPerTrace: 4);

        var kept = store.Add(Enumerable.Range(0, 10).Select(_ => Span(Trace(1))));

        Assert.Equal(4, kept);
        Assert.Equal(4, store.Get(Trace(1))!.Count);
        Assert.Equal(6, store.DroppedSpans);
    }

    [Fact]
    public void Add_SameSpanTwice_KeepsOneCopy()
    {
        var store = new SpanStore(maxTraces: 10, maxSpansPerTrace: 10);
        var span = Span(Trace(1), id: "00f067aa0ba902b7");

        store.Add([span]);
        store.Add([span]);

        Assert.Single(store.Get(Trace(1))!);
    }

    [Fact]
    public void Get_GatewayAndReplicaSpans_ReturnsThemEarliestFirst()
    {
        var store = new SpanStore(10, 10);
        var root = Span(Trace(1), start: 1_000, duration: 900, route: "/v2/models/{model}/infer", id: "0000000000000001");
        var client = Span(Trace(1), parent: root.SpanId, kind: "CLIENT", start: 1_100, duration: 700, id: "0000000000000002");
        var worker = Span(Trace(1), parent: client.SpanId, service: "inference", start: 1_200, duration: 500, id: "0000000000000003");

        store.Add([worker, root, client]);

        Assert.Equal(["gateway", "gateway", "inference"], store.Get(Trace(1))!.Select(s => s.Service));
        Assert.Equal(root.SpanId, store.Get(Trace(1))![0].SpanId);
    }

    [Fact]
    public void Summarize_TraceAcrossServices_ReportsRootRouteTotalDurationServicesAndError()
    {
        var root = Span(Trace(1), start: 1_000, duration: 900, route: "/v2/models/{model}/infer", id: "0000000000000001");
        var worker = Span(Trace(1), parent: root.SpanId, service: "inference", start: 1_200, duration: 1_000, error: true);

        var summary = SpanStore.Summarize([worker, root]);

        Assert.Equal("gateway", summary.RootService);
        Assert.Equal("/v2/models/{model}/infer", summary.Route);
        Assert.Equal("POST", summary.Method);
        Assert.Equal(1_200, summary.DurationUs); // from the root's start to the worker's end
        Assert.Equal(["gateway", "inference"], summary.Services);
        Assert.True(summary.Error);
        Assert.Equal(2, summary.SpanCount);
    }

    [Fact]
    public void Summarize_ParentNeverArrived_UsesTheEarliestOrphanAsRoot()
    {
        var orphan = Span(Trace(1), parent: "ffffffffffffffff", service: "inference", start: 500);
        var later = Span(Trace(1), parent: "eeeeeeeeeeeeeeee", service: "sandbox", start: 700);

        var summary = SpanStore.Summarize([later, orphan]);

        Assert.Equal("inference", summary.RootService);
    }

    [Fact]
    public void Find_ByService_ReturnsOnlyTracesThatTouchIt()
    {
        var store = Filled();

        var found = store.Find(new TraceQuery(Service: "inference"));

        Assert.Equal([Trace(2), Trace(3)], found.Select(t => t.TraceId).Order());
    }

    [Fact]
    public void Find_ByRouteFragment_MatchesAnySpanCaseInsensitively()
    {
        var store = Filled();

        var found = store.Find(new TraceQuery(Route: "INFER"));

        Assert.Equal([Trace(2), Trace(3)], found.Select(t => t.TraceId).Order());
    }

    [Fact]
    public void Find_ByMinDuration_ReturnsOnlySlowerTraces()
    {
        var store = Filled();

        var found = store.Find(new TraceQuery(MinDurationMs: 5));

        Assert.Equal([Trace(3)], found.Select(t => t.TraceId));
    }

    [Fact]
    public void Find_ErrorsOnly_ReturnsOnlyFailedTraces()
    {
        var store = Filled();

        var found = store.Find(new TraceQuery(ErrorsOnly: true));

        Assert.Equal([Trace(2)], found.Select(t => t.TraceId));
    }

    [Fact]
    public void Find_WithLimit_ReturnsTheLatestStartsFirst()
    {
        var store = Filled();

        var found = store.Find(new TraceQuery(Limit: 2));

        Assert.Equal([Trace(3), Trace(2)], found.Select(t => t.TraceId));
    }

    [Fact]
    public void Services_ListsEveryServiceSeenSorted()
    {
        Assert.Equal(["gateway", "inference", "sandbox"], Filled().Services());
    }

    [Fact]
    public void Add_MoreBytesThanTheBound_EvictsTheOldestTracesUntilTheNewOneFits()
    {
        var size = Span(Trace(0)).EstimatedBytes();
        var store = new SpanStore(maxTraces: 1_000, maxSpansPerTrace: 10, maxBytes: Math.Max(1024, size * 10));
        var fits = (int)(store.MaxBytes / size);

        for (var i = 0; i < fits + 5; i++)
        {
            store.Add([Span(Trace(i))]);
            Assert.InRange(store.Bytes, 0, store.MaxBytes);
        }

        Assert.Equal(fits, store.TraceCount);
        Assert.Equal(5, store.EvictedTraces);
        Assert.Equal(fits * size, store.Bytes);
        Assert.Null(store.Get(Trace(4)));
        Assert.NotNull(store.Get(Trace(5)));
        Assert.NotNull(store.Get(Trace(fits + 4)));
    }

    [Fact]
    public void Add_OneTraceOutgrowingTheByteBound_KeepsWhatFitsAndDropsTheRestWithoutEvictingItself()
    {
        var size = Span(Trace(0)).EstimatedBytes();
        var store = new SpanStore(maxTraces: 10, maxSpansPerTrace: 1_000, maxBytes: 1024);
        var fits = (int)(1024 / size);

        var kept = store.Add(Enumerable.Range(0, fits + 3).Select(_ => Span(Trace(7))));

        Assert.Equal(fits, kept);
        Assert.Equal(3, store.DroppedSpans);
        Assert.Equal(fits, store.Get(Trace(7))!.Count);
        Assert.Equal(0, store.EvictedTraces);
    }

    [Fact]
    public void Add_AfterEvictions_BytesAreTheSumOfTheKeptSpans()
    {
        var store = new SpanStore(maxTraces: 3, maxSpansPerTrace: 10, maxBytes: 1L << 20);
        var all = Enumerable.Range(0, 6).Select(i => new[] { Span(Trace(i), route: "/v1/x"), Span(Trace(i), service: "inference") }).ToList();

        foreach (var trace in all)
        {
            store.Add(trace);
        }

        Assert.Equal(all.Skip(3).SelectMany(t => t).Sum(s => s.EstimatedBytes()), store.Bytes);
    }

    [Fact]
    public void Constructor_ZeroBound_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanStore(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanStore(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpanStore(10, 10, maxBytes: 100));
    }

    private static SpanStore Filled()
    {
        var store = new SpanStore(100, 100);
        var blocks = Span(Trace(1), start: 1_000_000, duration: 2_000, route: "/v1/blocks/run", id: "1000000000000001");
        store.Add([blocks, Span(Trace(1), parent: blocks.SpanId, service: "sandbox", start: 1_000_100, duration: 1_000)]);
        var failed = Span(Trace(2), start: 2_000_000, duration: 3_000, route: "/v2/models/{model}/infer", id: "2000000000000001");
        store.Add([failed, Span(Trace(2), parent: failed.SpanId, service: "inference", start: 2_000_100, duration: 2_000, error: true)]);
        var slow = Span(Trace(3), start: 3_000_000, duration: 9_000, route: "/v2/models/{model}/infer", id: "3000000000000001");
        store.Add([slow, Span(Trace(3), parent: slow.SpanId, service: "inference", start: 3_000_100, duration: 8_000)]);
        return store;
    }
}
