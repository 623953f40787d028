using System.Diagnostics;
using BenchPlatform.InferenceWorker.Predict;
using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>Loads a model and runs it once on zero-filled inputs (dynamic dimensions set to 1), so the first real request is warm.</summary>
public sealed class ModelWarmup(ModelSessions sessions)
{
    /// <summary>Loads (if needed) and runs <paramref name="record"/> once.</summary>
    public async Task<WarmupResult> WarmAsync(ModelRecord record, CancellationToken cancellationToken)
    {
        using var lease = await sessions.AcquireAsync(record, cancellationToken);
        var model = lease.Model;
        var inputs = new InputTensor[model.Inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var spec = model.Inputs[i];
                var shape = spec.Shape.Select(d => d < 0 ? 1L : d).ToArray();
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
            var started = Stopwatch.GetTimestamp();
            try
            {
                await model.InferAsync(inputs, outputs);
                return new WarmupResult(record.Name, record.Version, model.LoadMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    model.OptimizedCache, lease.LoadedNow, null);
            }
            catch (BadRequestException ex)
            {
                return new WarmupResult(record.Name, record.Version, model.LoadMs, null, model.OptimizedCache, lease.LoadedNow, ex.Message);
            }
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
