using System.Globalization;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// In-process (ONNX Runtime in this process) vs through the gateway, one call at a time, per complexity level
/// (each model file, or one file at input sizes ×1, ×4, ×16); the gateway step carries the overhead factors.
/// </summary>
internal static class ModesScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var iterations = (int)(options.Iterations ?? 200);
        var levels = new List<(string File, int InputSize)>();
        if (options.ModelFiles.Count > 1)
        {
            foreach (var file in options.ModelFiles)
            {
                levels.Add((file, options.InputSize));
            }
        }
        else
        {
            foreach (var factor in new[] { 1, 4, 16 })
            {
                levels.Add((options.ModelFiles[0], options.InputSize * factor));
            }
        }

        var level = 0;
        foreach (var (file, inputSize) in levels)
        {
            level++;
            var label = $"L{level} {Path.GetFileNameWithoutExtension(file)} size={inputSize}";
            var parameters = new Dictionary<string, string>
            {
                ["file"] = Path.GetFileName(file),
                ["level"] = level.ToString(CultureInfo.InvariantCulture),
                ["input_size"] = inputSize.ToString(CultureInfo.InvariantCulture),
            };
            context.Progress.Info($"modes: {label} in-process, {iterations} calls");
            // On the thread pool: the code after a network await may run on a socket event thread (LoadTestRunner.UseInlineSocketCompletions).
            var baselineRecords = await Task.Run(() => InProcessOnnx.Run(file, inputSize, options.IntFill, iterations, Math.Min(20, iterations), context.Time), cancellationToken).ConfigureAwait(false);
            var baseline = context.Add("modes", $"in-process {label}", baselineRecords, new(parameters) { ["mode"] = "in-process" });

            var model = await context.UploadAsync(file, cancellationToken).ConfigureAwait(false);
            await context.Api.WarmupModelAsync(model, cancellationToken).ConfigureAwait(false);
            var inputs = await context.Api.GetInputsAsync(model, cancellationToken).ConfigureAwait(false);
            var body = InferBody.Build(inputs, 1, inputSize, options.IntFill, options.UseCache);
            var source = new BodyRequestSource(HttpMethod.Post, context.Api.Url($"/v2/models/{Uri.EscapeDataString(model)}/infer"), body, "application/json", options.ApiKey);
            var gateway = await context.ClosedAsync("modes", $"gateway {label}", source, 1, iterations, TimeSpan.Zero, context.Warmup(TimeSpan.FromSeconds(1)), new(parameters) { ["mode"] = "gateway", ["model"] = model }, cancellationToken: cancellationToken).ConfigureAwait(false);

            var b = baseline.Classes["all"].Corrected;
            if (gateway.Classes.TryGetValue("all", out var g) && b.Mean > 0)
            {
                gateway.Metrics["overhead_factor_mean"] = g.Corrected.Mean / b.Mean;
                gateway.Metrics["overhead_factor_p50"] = g.Corrected.P50 / Math.Max(b.P50, 0.001);
                gateway.Metrics["overhead_ms_p50"] = g.Corrected.P50 - b.P50;
                context.Progress.Info($"modes: {label} overhead ×{gateway.Metrics["overhead_factor_mean"]:0.00} (mean), +{gateway.Metrics["overhead_ms_p50"]:0.000} ms (p50)");
            }
        }
    }
}
