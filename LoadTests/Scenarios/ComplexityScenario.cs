using System.Globalization;
using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>The warm measurement at increasing cost: each model in turn, or one model at growing input sizes.</summary>
internal static class ComplexityScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var models = await context.OnnxModelsAsync(cancellationToken).ConfigureAwait(false);
        var rate = context.Rate(20);
        var duration = context.Duration(TimeSpan.FromSeconds(10));
        var warmup = context.Warmup(TimeSpan.FromSeconds(1));
        var levels = new List<(string Model, int InputSize)>();
        if (models.Count > 1)
        {
            foreach (var model in models)
            {
                levels.Add((model, context.Options.InputSize));
            }
        }
        else
        {
            foreach (var factor in new[] { 1, 4, 16 })
            {
                levels.Add((models[0], context.Options.InputSize * factor));
            }
        }

        var level = 0;
        foreach (var (model, inputSize) in levels)
        {
            level++;
            await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
            var inputs = await context.Api.GetInputsAsync(model, cancellationToken).ConfigureAwait(false);
            var body = InferBody.Build(inputs, 1, inputSize, context.Options.IntFill, context.Options.UseCache);
            var source = new BodyRequestSource(HttpMethod.Post, context.Api.Url($"/v2/models/{Uri.EscapeDataString(model)}/infer"), body, "application/json", context.Options.ApiKey);
            var parameters = new Dictionary<string, string>
            {
                ["model"] = model,
                ["level"] = level.ToString(CultureInfo.InvariantCulture),
                ["input_size"] = inputSize.ToString(CultureInfo.InvariantCulture),
            };
            await context.OpenAsync("complexity", $"L{level} {model} size={inputSize} @{Units.Num(rate)}/s", source, rate, duration, warmup, parameters, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
