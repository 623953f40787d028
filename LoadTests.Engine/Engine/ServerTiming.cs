namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Reads a <c>Server-Timing</c> header (<c>gateway;dur=0.1, queue;dur=0.0, cold;dur=850, cache;desc=hit, infer;dur=0.4</c>)
/// into a record's phases and class, without allocating.
/// </summary>
public static class ServerTiming
{
    /// <summary>Fills the record's phases from one header value; several header lines may be applied in turn.</summary>
    public static void Apply(ReadOnlySpan<char> header, ref RequestRecord record)
    {
        while (!header.IsEmpty)
        {
            var comma = header.IndexOf(',');
            var metric = comma < 0 ? header : header[..comma];
            header = comma < 0 ? [] : header[(comma + 1)..];
            ApplyMetric(metric.Trim(), ref record);
        }
    }

    /// <summary>The class the phases imply: cold when the request was held or loaded, cache hit, else warm.</summary>
    public static RequestClass Classify(in RequestRecord record)
    {
        if (record.ColdMs > 0 || record.LoadMs > 0)
        {
            return RequestClass.Cold;
        }

        return record.Cache == CacheState.Hit ? RequestClass.CacheHit : RequestClass.Warm;
    }

    private static void ApplyMetric(ReadOnlySpan<char> metric, ref RequestRecord record)
    {
        var semi = metric.IndexOf(';');
        var name = (semi < 0 ? metric : metric[..semi]).Trim();
        var parameters = semi < 0 ? [] : metric[(semi + 1)..];
        var duration = float.NaN;
        ReadOnlySpan<char> description = [];
        while (!parameters.IsEmpty)
        {
            var next = parameters.IndexOf(';');
            var parameter = (next < 0 ? parameters : parameters[..next]).Trim();
            parameters = next < 0 ? [] : parameters[(next + 1)..];
            var eq = parameter.IndexOf('=');
            if (eq < 0)
            {
                continue;
            }

            var key = parameter[..eq].Trim();
            var value = parameter[(eq + 1)..].Trim().Trim('"');
            if (key.Equals("dur", StringComparison.OrdinalIgnoreCase))
            {
                if (float.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                {
                    duration = parsed;
                }
            }
            else if (key.Equals("desc", StringComparison.OrdinalIgnoreCase))
            {
                description = value;
            }
        }

        if (name.Equals("gateway", StringComparison.OrdinalIgnoreCase))
        {
            record.GatewayMs = duration;
        }
        else if (name.Equals("queue", StringComparison.OrdinalIgnoreCase))
        {
            record.QueueMs = duration;
        }
        else if (name.Equals("cold", StringComparison.OrdinalIgnoreCase))
        {
            // "cold" without a duration still means the request was held for a cold start.
            record.ColdMs = float.IsNaN(duration) ? float.Epsilon : duration;
            if (record.ColdMs == 0)
            {
                record.ColdMs = float.Epsilon;
            }
        }
        else if (name.Equals("infer", StringComparison.OrdinalIgnoreCase))
        {
            record.InferMs = duration;
        }
        else if (name.Equals("load", StringComparison.OrdinalIgnoreCase))
        {
            record.LoadMs = duration;
        }
        else if (name.Equals("cache", StringComparison.OrdinalIgnoreCase))
        {
            if (description.Equals("hit", StringComparison.OrdinalIgnoreCase))
            {
                record.Cache = CacheState.Hit;
            }
            else if (description.Equals("miss", StringComparison.OrdinalIgnoreCase))
            {
                record.Cache = CacheState.Miss;
            }
        }
    }
}
