using BenchPlatform.LoadTests.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchPlatform.LoadTests.Scenarios;

/// <summary>
/// The in-process baseline of <c>modes</c>: the same model and inputs run here through ONNX Runtime (CPU), one call at a
/// time, recorded like requests so the gateway path and this one read the same way.
/// </summary>
internal static class InProcessOnnx
{
    public static RunRecords Run(string file, int inputSize, long intFill, int iterations, int warmups, TimeProvider time)
    {
        using var sessionOptions = new SessionOptions();
        using var session = new InferenceSession(file, sessionOptions);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, metadata) in session.InputMetadata)
            {
                var shape = InferBody.ResolveShape(Array.ConvertAll(metadata.Dimensions, d => (long)d), 1, inputSize);
                long count = 1;
                foreach (var dim in shape)
                {
                    count *= dim;
                }

                names.Add(name);
                values.Add(metadata.ElementDataType switch
                {
                    TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Wave(count, i => MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4)), shape),
                    TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Wave(count, i => (double)MathF.Round(MathF.Sin(i * 0.05f) * 0.5f, 4)), shape),
                    TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Wave(count, _ => intFill), shape),
                    TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Wave(count, _ => (int)intFill), shape),
                    TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Wave(count, i => i % 2 == 0), shape),
                    var other => throw new Cli.ScenarioFailedException($"modes: input '{name}' of {file} has element type {other}, which the in-process baseline does not generate."),
                });
            }

            using var runOptions = new RunOptions();
            var outputs = session.OutputNames;
            for (var i = 0; i < warmups; i++)
            {
                using var _ = session.Run(runOptions, names, values, outputs);
            }

            var records = new RequestRecord[iterations];
            var startedAt = time.GetUtcNow();
            var start = time.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                var sent = time.GetTimestamp() - start;
                using (session.Run(runOptions, names, values, outputs))
                {
                }

                var end = time.GetTimestamp() - start;
                records[i] = new RequestRecord
                {
                    Sequence = i,
                    IntendedTicks = sent,
                    SentTicks = sent,
                    FirstByteTicks = end,
                    EndTicks = end,
                    Status = 200,
                    Class = RequestClass.Warm,
                    Outcome = RequestOutcome.Ok,
                    GatewayMs = float.NaN,
                    QueueMs = float.NaN,
                    ColdMs = float.NaN,
                    InferMs = float.NaN,
                    LoadMs = float.NaN,
                };
            }

            return new RunRecords
            {
                Records = RecordList.From(records),
                StartedAt = startedAt,
                Frequency = time.TimestampFrequency,
                Model = "in-process",
                WarmupSeconds = 0,
                MeasuredSeconds = Math.Max(1e-6, (time.GetTimestamp() - start) / (double)time.TimestampFrequency),
                Dropped = 0,
                Late = 0,
                TargetRate = 0,
                Concurrency = 1,
            };
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static T[] Wave<T>(long count, Func<int, T> value)
    {
        var data = new T[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = value(i);
        }

        return data;
    }
}
