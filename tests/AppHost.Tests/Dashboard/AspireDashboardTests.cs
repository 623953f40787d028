using System.Net;
using System.Text.RegularExpressions;
using BenchPlatform.TestCommon;
using Microsoft.Playwright;

namespace BenchPlatform.AppHost.Tests.Dashboard;

/// <summary>
/// Aspire's dashboard over the real stack, in Debian's Chromium driven by Playwright: the login token the AppHost
/// prints, every resource and replica running, a request's trace across the gateway and the worker, a replica's
/// console log, a replica restarted from its row, and after a scale-up the ready-replicas metric rising and the new
/// replica's cold start by phase. Screenshots go under TestResults/dashboard.
/// </summary>
[Collection(EndToEnd.StackCollection.Name)]
public sealed partial class AspireDashboardTests(StackFixture stack) : IClassFixture<StackFixture>
{
    /// <summary>The browser CI installs (<c>apt-get install -y chromium</c>); Playwright's own download is not used.</summary>
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static readonly string[] Resources = ["cache", "pg", "registry", "inference", "sandbox", "gateway"];

    private static string Screenshots => Path.Combine(RepoPaths.Root, "TestResults", "dashboard");

    private Uri Dashboard => stack.AppHost.DashboardUrl;

    [Fact]
    public async Task Dashboard_ListensOnLoopbackAndRefusesABrowserWithoutTheToken()
    {
        await DashboardUpAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var page = await http.GetAsync(Dashboard);

        Assert.Equal("127.0.0.1", Dashboard.Host);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", new Uri(Dashboard, page.Headers.Location!).AbsolutePath);
        Assert.Single(LoginUrl().Matches(stack.AppHost.Output).Select(m => m.Groups["token"].Value).Distinct());
    }

    [Fact]
    public async Task Browser_WithThePrintedToken_ShowsEveryResourceRunningATraceAndAReplicasConsole()
    {
        Directory.CreateDirectory(Screenshots);
        var zeros = string.Join(",", Enumerable.Repeat("0", 784));
        using (var infer = await stack.Gateway.PostAsync("v2/models/mlp/infer", new StringContent(
            $$"""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[{{zeros}}]}]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        // The dashboard runs at nice 10 (AppHost:OrchestratorNice): on a machine busy with other work its first render can
        // take most of a minute (CI: 60 s passed without the resource list under a parallel build).
        var wait = new LocatorWaitForOptions { Timeout = 120_000 };

        await DashboardUpAsync();
        await page.GotoAsync(LoginUrl().Match(stack.AppHost.Output).Value);
        foreach (var name in Resources)
        {
            await page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = name }).Filter(new LocatorFilterOptions { HasText = "Running" })
                .First.WaitForAsync(wait);
        }

        var replica = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "inference-0" });
        await replica.First.WaitForAsync(wait);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "resources.png"), FullPage = true });

        // Restart from the replica's row: the AppHost starts a new process for inference-0.
        var starts = ProcessStarts("inference-0");
        await replica.First.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Restart" }).ClickAsync();
        await Wait.UntilAsync(() => Task.FromResult(ProcessStarts("inference-0") > starts), TimeSpan.FromSeconds(30), "inference-0 was not restarted");

        await page.GotoAsync(new Uri(Dashboard, "traces").ToString());
        var trace = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "gateway" }).Filter(new LocatorFilterOptions { HasText = "inference" });
        await trace.First.WaitForAsync(wait);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "traces.png"), FullPage = true });

        await page.GotoAsync(new Uri(Dashboard, "consolelogs/resource/inference-0").ToString());
        await page.GetByText("Now listening on").First.WaitForAsync(wait);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console.png") });
    }

    [Fact]
    public async Task Metrics_AfterAScaleUp_ShowTheGatewaysReadyReplicasRisingAndTheNewReplicasColdStart()
    {
        Directory.CreateDirectory(Screenshots);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        var wait = new LocatorWaitForOptions { Timeout = 120_000 };
        await DashboardUpAsync();
        await page.GotoAsync(LoginUrl().Match(stack.AppHost.Output).Value);
        await page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = "gateway" }).First.WaitForAsync(wait);

        // The table view of the gauge the AppHost feeds the gateway, narrowed to the inference cluster; its newest row first.
        await page.GotoAsync(new Uri(Dashboard,
            "metrics/resource/gateway?meter=BenchPlatform&instrument=gateway.cluster.replicas.ready&duration=5&view=Table").ToString());
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "inference", Exact = true }).ClickAsync(new LocatorClickOptions { Timeout = 120_000 });
        await NewestReadyReplicas(page, "1", change: null).WaitForAsync(wait);

        try
        {
            using var scaled = await stack.Gateway.PutAsync("v1/scale/inference",
                new StringContent("""{"min":2,"max":4}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);

            await NewestReadyReplicas(page, "2", change: "Value increased").WaitForAsync(wait);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "metrics-scale-up.png"), FullPage = true });

            // The new replica's own telemetry goes by its row's name, with its start by phase.
            await page.GotoAsync(new Uri(Dashboard,
                "metrics/resource/inference-1?meter=BenchPlatform&instrument=inference.cold_start&duration=5&view=Table").ToString());
            foreach (var phase in new[] { "runtime", "registry", "preload", "ready" })
            {
                await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = phase, Exact = true }).WaitForAsync(wait);
            }
        }
        finally
        {
            using var restored = await stack.Gateway.PutAsync("v1/scale/inference",
                new StringContent("""{"min":1,"max":4}""", System.Text.Encoding.UTF8, "application/json"));
        }
    }

    /// <summary>The value cell of the metrics table's newest row when it reads <paramref name="value"/> (with the dashboard's change icon).</summary>
    private static ILocator NewestReadyReplicas(IPage page, string value, string? change) => page.Locator(
        $"xpath=(//tbody/tr[@role='row'][td[@role='gridcell']])[1]/td[2][span[normalize-space()='{value}']]" +
        (change is null ? string.Empty : $"[.//*[local-name()='title' and text()='{change}']]"));

    /// <summary>The dashboard starts once the stack is ready (AppHost:DashboardDelay): wait for its login line and its answer.</summary>
    private async Task DashboardUpAsync()
    {
        await Wait.UntilAsync(() => Task.FromResult(LoginUrl().IsMatch(stack.AppHost.Output)), TimeSpan.FromSeconds(60), "the AppHost did not print the dashboard's login URL");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        await Wait.UntilAsync(async () =>
        {
            try
            {
                using var _ = await http.GetAsync(Dashboard);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the dashboard did not answer");
    }

    private int ProcessStarts(string replica) =>
        stack.AppHost.Output.Split('\n').Count(line => line.Contains($"{replica}: process-start", StringComparison.Ordinal));

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/login\?t=(?<token>[0-9a-f]+)")]
    private static partial Regex LoginUrl();
}
