using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>Any endpoint at a rate (open model) or with N clients (closed model, when only --concurrency is given).</summary>
internal static class HttpScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        context.SampleScale = false;
        var body = options.BodyFile is null ? null : await File.ReadAllBytesAsync(options.BodyFile, cancellationToken).ConfigureAwait(false);
        var source = new BodyRequestSource(options.Method, context.Api.Url(options.Path), body, options.ContentType, options.ApiKey);
        var parameters = new Dictionary<string, string> { ["path"] = options.Path, ["method"] = options.Method.Method };
        if (options.Rate is null && options.Concurrency is { } clients)
        {
            await context.ClosedAsync("http", $"{options.Method.Method} {options.Path} c={clients}", source, clients, options.Iterations, context.Duration(TimeSpan.FromSeconds(30)), context.Warmup(TimeSpan.FromSeconds(2)), parameters, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var rate = context.Rate(50);
        await context.OpenAsync("http", $"{options.Method.Method} {options.Path} @{Units.Num(rate)}/s", source, rate, context.Duration(TimeSpan.FromSeconds(30)), context.Warmup(TimeSpan.FromSeconds(2)), parameters, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
