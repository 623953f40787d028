using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchPlatform.TestCommon;
using Microsoft.Playwright;

namespace BenchPlatform.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard of the real stack: over HTTP (login, 401s, the Zipkin collector, redaction) and in Debian's Chromium
/// driven by Playwright (resources healthy, a gateway → worker trace in the waterfall, screenshots under TestResults/dashboard).
/// </summary>
[Collection(EndToEnd.StackCollection.Name)]
public sealed partial class DashboardStackTests(StackFixture stack) : IClassFixture<StackFixture>
{
    /// <summary>The browser CI installs (<c>apt-get install -y chromium</c>); Playwright's own download is not used.</summary>
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static string Screenshots => Path.Combine(RepoPaths.Root, "TestResults", "dashboard");

    private Uri Dashboard => stack.AppHost.DashboardUrl;

    [Fact]
    public async Task Dashboard_WithoutToken_Returns401()
    {
        using var http = new HttpClient();

        using var page = await http.GetAsync(Dashboard);
        using var api = await http.GetAsync(new Uri(Dashboard, "api/dashboard/resources"));
        using var wrongLogin = await http.GetAsync(new Uri(Dashboard, "login?t=not-the-token"));
        using var wrongBearer = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard, "api/dashboard/traces"));
        wrongBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        using var wrongBearerResponse = await http.SendAsync(wrongBearer);

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("/login?t=", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongLogin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongBearerResponse.StatusCode);
    }

    [Fact]
    public async Task Login_RightToken_SetsHttpOnlyCookieAndRedirects()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var login = await http.GetAsync(new Uri(Dashboard, $"login?t={await LoginTokenAsync()}"));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(await LoginTokenAsync(), cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resources_WithToken_ShowNoSecretInClear()
    {
        using var http = await SignedInClientAsync();

        var body = await http.GetStringAsync(new Uri(Dashboard, "api/dashboard/resources"));

        Assert.DoesNotContain(stack.AppHost.InternalToken(), body, StringComparison.Ordinal);
        Assert.DoesNotMatch(PasswordInClear(), body);
        Assert.Contains("Internal__Token", body, StringComparison.Ordinal); // listed, value masked
        Assert.Contains("ConnectionStrings__registry", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Action_CrossOrigin_Returns403AndChangesNothing()
    {
        using var http = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard, "api/dashboard/resources/gateway/stop"));
        request.Headers.Add("Origin", "http://evil.example");
        var gatewayBefore = GatewayPids();

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // Nothing changed: the same gateway process still answers. (Its status may read "degraded" for a moment when
        // another test of this class has just restarted the sandbox, so the status is not what is checked.)
        Assert.NotEmpty(gatewayBefore);
        Assert.Equal(gatewayBefore, GatewayPids());
        Assert.NotNull(await stack.AppHost.GetGatewayHealthAsync());
    }

    [Fact]
    public async Task Action_UnknownResource_Returns404NamingTheChoices()
    {
        using var http = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard, "api/dashboard/resources/nope/restart"));
        request.Headers.Add("Origin", Dashboard.GetLeftPart(UriPartial.Authority));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("gateway", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZipkinCollector_MalformedBody_Returns400NamingTheProblem()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(
            new Uri(Dashboard, "api/v2/spans"),
            new StringContent("""[{"traceId":"nothex","id":"00f067aa0ba902b7","timestamp":1}]""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("traceId", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZipkinCollector_BodyOverTheLimit_Returns413()
    {
        using var http = new HttpClient();
        var body = new byte[(8 * 1024 * 1024) + 1];
        Array.Fill(body, (byte)' ');

        using var response = await http.PostAsync(new Uri(Dashboard, "api/v2/spans"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxSpanBatchBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZipkinCollector_ValidSpans_AppearInTheTraceList()
    {
        using var http = await SignedInClientAsync();
        var traceId = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var body = $$"""[{"traceId":"{{traceId}}","id":"00f067aa0ba902b7","kind":"SERVER","name":"GET /probe","timestamp":{{now}},"duration":1500,"localEndpoint":{"serviceName":"probe"},"tags":{"http.route":"/probe"} }]""";

        using var posted = await new HttpClient().PostAsync(new Uri(Dashboard, "api/v2/spans"), new StringContent(body, Encoding.UTF8, "application/json"));
        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri(Dashboard, "api/dashboard/traces?service=probe")));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var trace = Assert.Single(list.RootElement.GetProperty("traces").EnumerateArray());
        Assert.Equal(traceId, trace.GetProperty("traceId").GetString());
        Assert.Equal(1500, trace.GetProperty("durationUs").GetInt64());
        Assert.Equal(10_000, list.RootElement.GetProperty("maxTraces").GetInt32());
    }

    [Fact]
    public async Task Browser_AfterTrafficThroughTheGateway_ShowsHealthyResourcesAndAGatewayToWorkerWaterfall()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install it with 'apt-get install -y chromium' (CI's .ci/run does).");
        Directory.CreateDirectory(Screenshots);
        for (var i = 0; i < 20; i++)
        {
            // Any answer will do: each request is a gateway span and a worker span in one trace.
            using var response = await stack.Gateway.GetAsync("v2/health/ready");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };

        // Without the token the browser gets the 401 sign-in page.
        var refused = await page.GotoAsync(Dashboard.ToString());
        Assert.Equal(401, refused!.Status);

        // The printed login URL signs in and lands on the resources table.
        await page.GotoAsync(new Uri(Dashboard, $"login?t={await LoginTokenAsync()}").ToString());
        Assert.Equal(Dashboard.ToString(), page.Url);
        await Wait.UntilAsync(async () =>
        {
            var health = await page.EvalOnSelectorAllAsync<string[]>(
                "#resources-table tbody tr[data-resource] td[data-health]", "cells => cells.map(c => c.dataset.health)");
            return health.Length >= 6 && health.All(h => h == "healthy");
        }, TimeSpan.FromSeconds(30), "The resources table did not show six or more resources, all healthy");
        var names = await page.EvalOnSelectorAllAsync<string[]>("#resources-table tbody tr[data-resource]", "rows => rows.map(r => r.dataset.resource)");
        Assert.Superset(new HashSet<string> { "cache", "pg", "registry", "inference", "sandbox", "gateway" }, names.ToHashSet());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "resources.png"), FullPage = true });

        // The trace list fills once the services' batch exporters flush (every 5 s), then the waterfall opens.
        await page.GotoAsync(new Uri(Dashboard, "#traces").ToString());
        var row = page.Locator("#traces-table tbody tr[data-trace]").Filter(new LocatorFilterOptions { HasText = "inference" })
            .Filter(new LocatorFilterOptions { HasText = "/v2" }).First;
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "traces.png"), FullPage = true });
        await row.ClickAsync();

        await page.Locator("#waterfall .wf-row[data-service=inference]").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        var services = await page.EvalOnSelectorAllAsync<string[]>("#waterfall .wf-row", "rows => rows.map(r => r.dataset.service)");
        Assert.Contains("gateway", services);
        Assert.Contains("inference", services);
        Assert.Contains("inference-0", await page.InnerTextAsync("#waterfall"), StringComparison.Ordinal);
        await page.Locator("#waterfall .wf-row[data-service=inference]").First.ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "trace.png"), FullPage = true });

        // Load charts draw the requests just sent; the console streams the gateway's output.
        await page.GotoAsync(new Uri(Dashboard, "#load").ToString());
        await Wait.UntilAsync(async () => await page.EvalOnSelectorAllAsync<int>(
            "#chart-rps rect[fill='#2f6fde'] > title",
            "titles => titles.reduce((sum, t) => sum + Number(t.textContent.split(': ').pop()), 0)") >= 20,
            TimeSpan.FromSeconds(10), "The requests-per-second chart did not draw the 20 requests sent");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "load.png"), FullPage = true });
        await page.GotoAsync(new Uri(Dashboard, "#console/gateway-0").ToString());
        await page.Locator("#console-lines").Filter(new LocatorFilterOptions { HasText = "Now listening on" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console.png") });

        Assert.DoesNotContain(stack.AppHost.InternalToken(), await page.ContentAsync(), StringComparison.Ordinal);

        // Restart from the table: the sandbox comes back healthy with a new process and one restart counted.
        await page.GotoAsync(new Uri(Dashboard, "#resources").ToString());
        const string Sandbox = "#resources-table tr[data-resource=sandbox]";
        await page.Locator(Sandbox).WaitForAsync();
        var pidBefore = await page.InnerTextAsync($"{Sandbox} td:nth-child(6)");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync($"{Sandbox} button[data-action=restart]");
        await Wait.UntilAsync(async () =>
        {
            var cells = await page.EvalOnSelectorAllAsync<string[]>($"{Sandbox} td", "cells => cells.map(c => c.innerText.trim())");
            return cells.Length > 7 && cells[5].Length > 0 && cells[5] != pidBefore && cells[3] == "healthy" && cells[7] == "1";
        }, TimeSpan.FromSeconds(60), "The sandbox did not come back healthy with a new PID and one restart after 'restart'");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "resources-after-restart.png"), FullPage = true });
        var unexpected = consoleErrors.Where(e => !e.Contains("status of 401", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, "The page logged errors:\n" + string.Join('\n', unexpected));
        Assert.True(File.Exists(Path.Combine(Screenshots, "trace.png")));
    }

    private async Task<string> LoginTokenAsync()
    {
        string? token = null;
        await Wait.UntilAsync(() =>
        {
            token = LoginUrl().Match(stack.AppHost.Output) is { Success: true } match ? match.Groups[1].Value : null;
            return Task.FromResult(token is not null);
        }, TimeSpan.FromSeconds(10), "The AppHost did not print 'Login to the dashboard at …/login?t=…'");
        return token!;
    }

    private async Task<HttpClient> SignedInClientAsync()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginTokenAsync());
        return http;
    }

    [GeneratedRegex(@"Login to the dashboard at http://127\.0\.0\.1:\d+/login\?t=([0-9a-f]+)")]
    private static partial Regex LoginUrl();

    [GeneratedRegex(@"(?i)password=(?!••••••)[^;,""]+")]
    private static partial Regex PasswordInClear();

    private int[] GatewayPids() =>
        [.. stack.AppHost.Descendants().Where(p => p.CommandLine.Contains("Gateway.dll", StringComparison.Ordinal)).Select(p => p.Pid).Order()];
}
