using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchPlatform.TestCommon;
using Xunit.Abstractions;

namespace BenchPlatform.EndToEnd.Tests.Fuzzing;

[Collection(StackCollection.Name)]
public sealed class FuzzTests(StackFixture stack, ITestOutputHelper output) : IClassFixture<StackFixture>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Gateway_TwoThousandMalformedRequests_NoServerErrorEveryRefusalIsProblemJsonAndStackStaysHealthy()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed : Environment.TickCount & int.MaxValue;
        var count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_CASES"), CultureInfo.InvariantCulture, out var fixedCount)
            ? fixedCount : 2_000;
        output.WriteLine($"fuzz seed {seed} ({count} cases); reproduce with FUZZ_SEED={seed}");

        var cases = new RequestFuzzer(seed).Cases(count).ToList();
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var budget = new CancellationTokenSource(Budget);
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = budget.Token }, async (fuzz, ct) =>
        {
            var problem = await SendAsync(client, fuzz, ct);
            statuses.AddOrUpdate(problem.Status, 1, (_, n) => n + 1);
            if (problem.Failure is not null)
            {
                failures.Add($"{problem.Failure}\n    {fuzz.Reproduction(stack.GatewayUrl)}");
            }
        });

        output.WriteLine($"{count} cases in {clock.Elapsed.TotalSeconds:0.0} s; statuses: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.IsEmpty,
            $"seed {seed}: {failures.Count} of {count} cases failed; first ones:\n" + string.Join("\n", failures.OrderBy(f => f, StringComparer.Ordinal).Take(25)));

        await stack.AppHost.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        using var infer = await stack.Gateway.PostAsync("v2/models/linear/infer", Infer("linear"));
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
    }

    private static StringContent Infer(string model) => new(
        """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", Encoding.UTF8, "application/json");

    private async Task<(int Status, string? Failure)> SendAsync(HttpClient client, FuzzCase fuzz, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            using var request = fuzz.ToRequest(stack.GatewayUrl);
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            return (0, $"no answer: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, "no answer within 30 s");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(ct);
            }
            catch (HttpRequestException ex)
            {
                return (status, $"{status}: body broken: {ex.Message}");
            }

            if (status >= 500)
            {
                return (status, $"{status} server error: {Cut(body)}");
            }

            if (status < 300)
            {
                return (status, null);
            }

            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                return (status, $"{status} with Content-Type '{response.Content.Headers.ContentType}', not application/problem+json: {Cut(body)}");
            }

            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                var ok = root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString()!.Length > 0
                    && root.TryGetProperty("status", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == status
                    && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString()!.Length > 0;
                return ok ? (status, null) : (status, $"{status} problem lacks title/status/detail: {Cut(body)}");
            }
            catch (JsonException)
            {
                return (status, $"{status} problem+json that is not JSON: {Cut(body)}");
            }
        }
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
