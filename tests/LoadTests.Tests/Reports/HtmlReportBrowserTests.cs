using System.Text.Json;
using BenchPlatform.LoadTests.Cli;
using BenchPlatform.LoadTests.Reports;
using BenchPlatform.LoadTests.Tests.Support;
using BenchPlatform.TestCommon;
using Microsoft.Playwright;
using Runner = BenchPlatform.LoadTests.Tests.Support.Cli;

namespace BenchPlatform.LoadTests.Tests.Reports;

/// <summary>
/// A generated <c>report.html</c> opened in Debian's Chromium (Playwright): the tables hold the run's numbers and every chart
/// is drawn (visible, with marks inside); a screenshot goes to <c>TestResults/loadtests/report.png</c>.
/// </summary>
public sealed class HtmlReportBrowserTests
{
    /// <summary>The browser CI installs (<c>apt-get install -y chromium</c>); Playwright's own download is not used.</summary>
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    [Fact]
    public async Task HtmlReport_InChromium_ShowsTheRunsNumbersAndDrawsEveryChart()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install it with 'apt-get install -y chromium' (CI's .ci/run does).");
        await using var server = await ScriptedServer.StartAsync();
        var directory = Runner.TempDirectory();
        try
        {
            var (code, _, error) = await Runner.RunAsync("http", "--target", server.Url.ToString(), "--path", "/timing", "--rate", "60", "--duration", "1s", "--warmup", "0", "--report", directory);
            Assert.True(code == ExitCodes.Ok, error);
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ReportWriter.Json)));
            var all = json.RootElement.GetProperty("runs")[0].GetProperty("classes").GetProperty("all").GetProperty("corrected");
            var p99 = Units.Ms(all.GetProperty("p99").GetDouble());

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var consoleErrors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    consoleErrors.Add(message.Text);
                }
            };
            await page.GotoAsync(new Uri(Path.Combine(directory, ReportWriter.Html)).AbsoluteUri);

            // The latency table: the run's step, its 60 measured requests and its corrected p99, as the JSON has them.
            var allRow = page.Locator("table tr").Filter(new LocatorFilterOptions { HasText = "http" }).Filter(new LocatorFilterOptions { HasText = "all" }).First;
            var cells = await allRow.Locator("td").AllInnerTextsAsync();
            Assert.Contains("60", cells);
            Assert.Contains(p99, cells);

            // Every chart is laid out (non-empty box), has a title and has marks drawn in it.
            var charts = page.Locator("section svg");
            var count = await charts.CountAsync();
            Assert.True(count >= 3, $"expected latency-over-time, distribution and throughput charts, found {count}");
            for (var i = 0; i < count; i++)
            {
                var chart = charts.Nth(i);
                var box = await chart.BoundingBoxAsync();
                Assert.True(box is { Width: > 100, Height: > 50 }, $"chart {i} is not laid out");
                // Points, lines or bars; the legend's 10×10 swatches do not count.
                Assert.True(await chart.Locator("circle, polyline, rect:not([width='10'][height='10'])").CountAsync() > 0, $"chart {i} has nothing plotted");
                Assert.False(string.IsNullOrWhiteSpace(await chart.Locator("text").First.TextContentAsync()), $"chart {i} has no title");
            }

            Assert.Empty(consoleErrors);
            var screenshots = Path.Combine(RepoPaths.Root, "TestResults", "loadtests");
            Directory.CreateDirectory(screenshots);
            var screenshot = Path.Combine(screenshots, "report.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot should hold the rendered report");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
