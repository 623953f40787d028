using System.Text;
using BenchPlatform.LoadTests.Scenarios;

namespace BenchPlatform.LoadTests.Cli;

/// <summary>The <c>--help</c> text: usage, scenarios, every option, thresholds and exit codes.</summary>
public static class HelpText
{
    public static string Build()
    {
        var text = new StringBuilder();
        text.AppendLine("BenchPlatform LoadTests: cold vs warm latency through the gateway, coordinated-omission corrected.");
        text.AppendLine();
        text.AppendLine("Usage:");
        text.AppendLine("  dotnet run --project LoadTests -- <scenario> --target URL [options]");
        text.AppendLine("  dotnet run --project LoadTests -- compare BASELINE.json CANDIDATE.json [--tolerance 10%] [--min-delta 1ms]");
        text.AppendLine();
        text.AppendLine("Scenarios:");
        foreach (var (name, help) in ScenarioCatalog.All)
        {
            text.Append("  ").Append(name.PadRight(13)).AppendLine(help);
        }

        text.AppendLine();
        text.AppendLine("Options:");
        foreach (var (name, value, help) in CommandLine.Options)
        {
            var left = value is null ? name : $"{name} {value}";
            text.Append("  ").Append(left.PadRight(29)).Append(' ').AppendLine(help);
        }

        text.AppendLine();
        text.AppendLine("Thresholds: [scenario:]class.metric OP value[unit]");
        text.AppendLine("  class   all, warm, cold, cache_hit (or cache), error, metrics (scenario figures such as tokens_per_s)");
        text.AppendLine("  metric  p50 p90 p95 p99 p999 max min mean (ms; add _uncorrected for latency from the actual send),");
        text.AppendLine("          error_rate (fraction or %), rps, count, dropped, late");
        text.AppendLine("  OP      < <= > >=     units: us ms s for latency (bare number = ms), % for error_rate");
        text.AppendLine("  Every step with data must hold; a threshold with no data at all fails.");
        text.AppendLine();
        text.AppendLine("Exit codes:");
        text.AppendLine($"  {ExitCodes.Ok}  the run completed and every threshold held");
        text.AppendLine($"  {ExitCodes.RunFailed}  the run could not be done (target unreachable, a setup call refused)");
        text.AppendLine($"  {ExitCodes.Usage}  bad command line (the message says what to change)");
        text.AppendLine($"  {ExitCodes.ThresholdFailed}  a --threshold failed (each is printed with its actual value)");
        text.AppendLine($"  {ExitCodes.Regression}  compare found a regression");
        text.AppendLine();
        text.AppendLine("Progress is a live table on a terminal and plain lines when output is redirected or CI=true.");
        return text.ToString();
    }
}
