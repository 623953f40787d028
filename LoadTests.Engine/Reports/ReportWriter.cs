using System.Text;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>Writes the four report files into a folder.</summary>
public static class ReportWriter
{
    public const string Markdown = "report.md";
    public const string Html = "report.html";
    public const string Csv = "requests.csv";
    public const string Json = "summary.json";

    public static void Write(RunReport report, string directory, ReportFormat formats = ReportFormat.All)
    {
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        if (formats.HasFlag(ReportFormat.Md))
        {
            using var md = new StreamWriter(Path.Combine(directory, Markdown), false, utf8);
            md.NewLine = "\n";
            MarkdownReport.Write(report, md);
        }

        if (formats.HasFlag(ReportFormat.Html))
        {
            using var html = new StreamWriter(Path.Combine(directory, Html), false, utf8);
            HtmlReport.Write(report, html);
        }

        if (formats.HasFlag(ReportFormat.Csv))
        {
            using var csv = new StreamWriter(Path.Combine(directory, Csv), false, utf8, 1 << 16);
            CsvReport.Write(report.Runs, csv);
        }

        if (formats.HasFlag(ReportFormat.Json))
        {
            using var json = File.Create(Path.Combine(directory, Json));
            JsonReport.Write(report, json);
        }
    }
}
