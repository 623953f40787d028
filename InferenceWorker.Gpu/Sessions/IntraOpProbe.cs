using System.Diagnostics;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// Times a session on zero-filled inputs (batch 1; other dynamic dimensions the smallest of a few sizes the model
/// accepts), so the loader can pick the intra-op thread count that runs this model fastest on this machine.
/// </summary>
internal static class IntraOpProbe
{
    // As the warm-up: sizes tried for dynamic dimensions after the first, smallest first.
    private static readonly long[] DynamicSizes = [1, 16, 256, 4096, 16000];

    /// <summary>The thread counts worth trying on <paramref name="cores"/>: 1, then doublings, then all of them.</summary>
    public static int[] Candidates(int cores)
    {
        var candidates = new List<int>();
        for (var n = 1; n < cores; n *= 2)
        {
            candidates.Add(n);
        }

        candidates.Add(Math.Max(1, cores));
        return [.. candidates];
    }

    /// <summary>
    /// The median milliseconds of one run of <paramref name="session"/>, over up to <paramref name="runs"/> runs after two
    /// untimed ones and within <paramref name="budget"/>; null when the model cannot be probed (string inputs, or no
    /// dynamic size it accepts).
    /// </summary>
    public static double? MedianRunMs(InferenceSession session, ModelSignature signature, int runs, TimeSpan budget)
    {
        if (signature.Inputs.Any(i => i.DataType == TensorDataType.String))
        {
            return null;
        }

        foreach (var size in DynamicSizes)
        {
            var inputs = ZeroInputs(signature, size);
            try
            {
                using var runOptions = new RunOptions();
                try
                {
                    RunOnce(session, runOptions, signature, inputs);
                }
                catch (OnnxRuntimeException) when (signature.Inputs.Any(i => i.Shape.Skip(1).Any(d => d < 0)))
                {
                    continue; // this size is not one the model accepts: try the next
                }

                RunOnce(session, runOptions, signature, inputs);
                var times = new List<double>(runs);
                var deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
                while (times.Count < runs && (times.Count < 3 || Stopwatch.GetTimestamp() < deadline))
                {
                    var started = Stopwatch.GetTimestamp();
                    RunOnce(session, runOptions, signature, inputs);
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                times.Sort();
                return times[times.Count / 2];
            }
            catch (OnnxRuntimeException)
            {
                return null;
            }
            finally
            {
                foreach (var input in inputs)
                {
                    input.Dispose();
                }
            }
        }

        return null;
    }

    private static void RunOnce(InferenceSession session, RunOptions runOptions, ModelSignature signature, OrtValue[] inputs)
    {
        using var outputs = session.Run(runOptions, signature.InputNames, inputs, signature.OutputNames);
    }

    private static OrtValue[] ZeroInputs(ModelSignature signature, long dynamicSize)
    {
        var values = new OrtValue[signature.Inputs.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var spec = signature.Inputs[i];
            var shape = new long[spec.Shape.Length];
            for (var axis = 0; axis < shape.Length; axis++)
            {
                shape[axis] = spec.Shape[axis] >= 0 ? spec.Shape[axis] : axis == 0 ? 1 : dynamicSize;
            }

            values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, OrtDataTypes.ToOrt(spec.DataType), shape);
            values[i].GetTensorMutableRawData().Clear();
        }

        return values;
    }
}
