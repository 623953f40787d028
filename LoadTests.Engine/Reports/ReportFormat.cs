namespace BenchPlatform.LoadTests;

/// <summary>The report files a run writes (all of them by default).</summary>
[Flags]
public enum ReportFormat
{
    /// <summary><c>report.md</c>.</summary>
    Md = 1,

    /// <summary><c>report.html</c> with charts.</summary>
    Html = 2,

    /// <summary><c>requests.csv</c>, one row per request and step.</summary>
    Csv = 4,

    /// <summary><c>summary.json</c> (what <c>LoadTests compare</c> reads).</summary>
    Json = 8,

    /// <summary>Every format.</summary>
    All = Md | Html | Csv | Json,
}
