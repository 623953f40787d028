using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BenchPlatform.ServiceDefaults;

/// <summary>The one activity source and meter name that BenchPlatform's own spans and metrics use.</summary>
public static class PlatformTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> for BenchPlatform spans.</summary>
    public const string ActivitySourceName = "BenchPlatform";

    /// <summary>Name of the <see cref="Meter"/> for BenchPlatform metrics.</summary>
    public const string MeterName = "BenchPlatform";

    /// <summary>The shared activity source.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
