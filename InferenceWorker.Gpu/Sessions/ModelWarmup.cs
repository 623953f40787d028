using System.Diagnostics;
using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// Loads a model and runs it once on zero-filled inputs (batch dimension 1; other dynamic dimensions the
/// smallest of a few sizes the model accepts), so the first real request is warm.
/// </summary>
public sealed class ModelWarmup(ModelSessions sessions)
{
    // Sizes tried for dynamic dimensions after the first (e.g. audio length), smallest first: some models need a minimum.
    private static readonly long[] DynamicSizes = [1, 16, 256, 4096, 16000];

    /// <summary>Loads (if needed) and runs <paramref name="record"/> once.</summary>
    public async Task<WarmupResult> WarmAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        using var lease = await sessions.AcquireAsync(record, cancellationToken);
        var model = lease.Model;
        string? error = null;
        foreach (var size in DynamicSizes)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await RunOnceAsync(model, size);
                return new WarmupResult(record.Name, record.Version, model.LoadMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    model.OptimizedCache, lease.LoadedNow, null) { IntraOpThreads = model.IntraOpThreads };
            }
            catch (BadRequestException ex)
            {
                error = ex.Message;
                if (!model.Inputs.Any(i => i.Shape.Skip(1).Any(d => d < 0)))
                {
                    break;
                }
            }
        }

        return new WarmupResult(record.Name, record.Version, model.LoadMs, null, model.OptimizedCache, lease.LoadedNow, error)
        {
            IntraOpThreads = model.IntraOpThreads,
        };
    }

    private static async Task RunOnceAsync(LoadedModel model, long dynamicSize)
    {
        var inputs = new InputTensor[model.Inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var spec = model.Inputs[i];
                var shape = spec.Shape.Select((d, axis) => d >= 0 ? d : axis == 0 ? 1L : dynamicSize).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                inputs[i] = new InputTensor(spec.Name, spec.DataType, shape, count);
                if (inputs[i].Strings is { } strings)
                {
                    Array.Fill(strings, "");
                }
                else
                {
                    inputs[i].Bytes.Clear();
                }
            }

            var outputs = new bool[model.Outputs.Count];
            Array.Fill(outputs, true);
            await model.InferAsync(inputs, outputs);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }
}
