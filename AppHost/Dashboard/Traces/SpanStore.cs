namespace BenchPlatform.AppHost.Dashboard.Traces;

/// <summary>
/// The traces the dashboard shows, bounded: at most <c>maxTraces</c> traces and <c>maxBytes</c> bytes of spans (as
/// <see cref="SpanRecord.EstimatedBytes"/> counts them; the trace first seen longest ago is evicted to make room) and
/// at most <c>maxSpansPerTrace</c> spans in each (later spans are dropped and counted).
/// </summary>
public sealed class SpanStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Trace> _traces = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _arrival = new();
    private long _spanCount;
    private long _bytes;
    private long _evicted;
    private long _evictedAtLastCollection;
    private long _dropped;

    /// <summary>
    /// Creates a store bounded to <paramref name="maxTraces"/> traces of <paramref name="maxSpansPerTrace"/> spans,
    /// <paramref name="maxBytes"/> bytes in all.
    /// </summary>
    public SpanStore(int maxTraces, int maxSpansPerTrace, long maxBytes = DashboardOptions.DefaultMaxTraceBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpansPerTrace, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        MaxTraces = maxTraces;
        MaxSpansPerTrace = maxSpansPerTrace;
        MaxBytes = maxBytes;
    }

    /// <summary>The most bytes of spans kept (estimated high, see <see cref="SpanRecord.EstimatedBytes"/>).</summary>
    public long MaxBytes { get; }

    /// <summary>The bytes of spans kept now (estimated high).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The most traces kept.</summary>
    public int MaxTraces { get; }

    /// <summary>The most spans kept per trace.</summary>
    public int MaxSpansPerTrace { get; }

    /// <summary>How many traces are kept now.</summary>
    public int TraceCount
    {
        get
        {
            lock (_lock)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>How many spans are kept now.</summary>
    public long SpanCount => Interlocked.Read(ref _spanCount);

    /// <summary>Traces evicted to stay within <see cref="MaxTraces"/> since start.</summary>
    public long EvictedTraces => Interlocked.Read(ref _evicted);

    /// <summary>Spans dropped because their trace was full, repeated a span id, or alone outgrew the byte bound, since start.</summary>
    public long DroppedSpans => Interlocked.Read(ref _dropped);

    /// <summary>Adds spans (any order, any traces); returns how many were kept.</summary>
    public int Add(IEnumerable<SpanRecord> spans)
    {
        var kept = 0;
        bool collect;
        lock (_lock)
        {
            foreach (var span in spans)
            {
                if (TryAdd(span))
                {
                    kept++;
                }
                else
                {
                    _dropped++;
                }
            }

            collect = _evicted - _evictedAtLastCollection >= Math.Max(1, MaxTraces / 8);
            if (collect)
            {
                _evictedAtLastCollection = _evicted;
            }
        }

        if (collect)
        {
            // Evicted traces die old, in gen2, which the GC visits rarely: a full store's turnover otherwise piles up
            // as gen2 garbage and the AppHost's RSS grows for many minutes. One background (non-blocking) gen2
            // collection per eighth of the store turned over hands it back.
            GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        }

        return kept;
    }

    /// <summary>The spans of one trace, earliest first; null when it is not (or no longer) kept.</summary>
    public IReadOnlyList<SpanRecord>? Get(string traceId)
    {
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var trace))
            {
                return null;
            }

            return [.. trace.Spans.OrderBy(s => s.StartUs).ThenBy(s => s.ParentId is null ? 0 : 1)];
        }
    }

    /// <summary>The traces that match <paramref name="query"/>, latest start first, at most <see cref="TraceQuery.Limit"/>.</summary>
    public IReadOnlyList<TraceSummary> Find(TraceQuery query)
    {
        var minUs = (long)((query.MinDurationMs ?? 0) * 1000);
        var matches = new List<TraceSummary>();
        lock (_lock)
        {
            foreach (var trace in _traces.Values)
            {
                var summary = trace.Summary ??= Summarize(trace.Spans);
                if (summary.DurationUs < minUs || (query.ErrorsOnly && !summary.Error))
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(query.Service) && !summary.Services.Contains(query.Service, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(query.Route) && !trace.Spans.Exists(s =>
                        s.Route.Contains(query.Route, StringComparison.OrdinalIgnoreCase)
                        || s.Name.Contains(query.Route, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                matches.Add(summary);
            }
        }

        matches.Sort((a, b) => b.StartUs.CompareTo(a.StartUs));
        return matches.Count > query.Limit ? matches[..Math.Max(0, query.Limit)] : matches;
    }

    /// <summary>The service names seen in the kept traces, sorted.</summary>
    public IReadOnlyList<string> Services()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var trace in _traces.Values)
            {
                names.UnionWith((trace.Summary ??= Summarize(trace.Spans)).Services);
            }
        }

        return [.. names];
    }

    /// <summary>The list row of a trace made of <paramref name="spans"/> (at least one).</summary>
    public static TraceSummary Summarize(IReadOnlyList<SpanRecord> spans)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            ids.Add(span.SpanId);
        }

        // The root: no parent, or a parent that never arrived; the earliest of those.
        SpanRecord? root = null;
        long start = long.MaxValue, end = long.MinValue;
        var error = false;
        var services = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            if ((span.ParentId is null || !ids.Contains(span.ParentId)) && (root is null || span.StartUs < root.StartUs))
            {
                root = span;
            }

            start = Math.Min(start, span.StartUs);
            end = Math.Max(end, span.EndUs);
            error |= span.Error;
            services.Add(span.Service);
        }

        root ??= spans[0];
        root.Tags.TryGetValue("http.request.method", out var method);
        return new TraceSummary(
            root.TraceId, root.Service, root.Name, root.Route, method ?? string.Empty, root.StatusCode,
            start, end - start, spans.Count, [.. services], error);
    }

    private bool TryAdd(SpanRecord span)
    {
        var known = _traces.TryGetValue(span.TraceId, out var trace);
        if (known && (trace!.Spans.Count >= MaxSpansPerTrace || trace.Spans.Exists(s => s.SpanId == span.SpanId)))
        {
            return false;
        }

        // Older traces make room; the span's own trace is never evicted for it (when it alone fills the bound, the span is dropped).
        var size = span.EstimatedBytes();
        while (_bytes + size > MaxBytes && _arrival.First is { } oldest && oldest.Value != span.TraceId)
        {
            EvictOldest();
        }

        if (_bytes + size > MaxBytes)
        {
            return false;
        }

        if (!known)
        {
            if (_traces.Count == MaxTraces)
            {
                EvictOldest();
            }

            _arrival.AddLast(span.TraceId);
            trace = new Trace();
            _traces.Add(span.TraceId, trace);
        }

        trace!.Spans.Add(span);
        trace.Bytes += size;
        trace.Summary = null;
        _bytes += size;
        _spanCount++;
        return true;
    }

    private void EvictOldest()
    {
        var oldest = _arrival.First!;
        _arrival.RemoveFirst();
        if (_traces.Remove(oldest.Value, out var trace))
        {
            _spanCount -= trace.Spans.Count;
            _bytes -= trace.Bytes;
            _evicted++;
        }
    }

    private sealed class Trace
    {
        public List<SpanRecord> Spans { get; } = [];

        public long Bytes { get; set; }

        public TraceSummary? Summary { get; set; }
    }
}
