using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchPlatform.InferenceWorker.Predict;
using BenchPlatform.InferenceWorker.Sessions;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// Runs a group of compatible requests as one ONNX Runtime call: inputs concatenated along the first
/// dimension into pooled buffers, outputs split back by rows. A group of one runs over the request's own buffers.
/// </summary>
internal static class BatchExecutor
{
    // Responses are JSON, not HTML: keep non-ASCII text readable instead of \u-escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static void Execute(LoadedModel model, List<InferWork> group)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (group.Count == 1)
            {
                Run(model, group, started, merged: false);
                return;
            }

            if (!Run(model, group, started, merged: true))
            {
                // The model's outputs do not follow the batch (e.g. it reduces over rows): run each request alone.
                foreach (var work in group)
                {
                    Run(model, [work], started, merged: false);
                }
            }
        }
        catch (OnnxRuntimeException ex)
        {
            var error = new BadRequestException(ProblemTitles.OnnxRuntimeRejectedInput, $"Model '{model.Record.Name}' could not run on this input: {ex.Message}");
            foreach (var work in group)
            {
                work.Fail(error);
            }
        }
        catch (Exception ex)
        {
            foreach (var work in group)
            {
                work.Fail(ex);
            }
        }
    }

    private static bool Run(LoadedModel model, List<InferWork> group, long started, bool merged)
    {
        var inputCount = model.Inputs.Count;
        var values = new OrtValue[inputCount];
        var handles = new MemoryHandle[inputCount];
        var rented = new byte[]?[inputCount];
        var totalRows = 0;
        foreach (var work in group)
        {
            totalRows += work.Rows;
        }

        var wanted = new bool[model.Outputs.Count];
        foreach (var work in group)
        {
            for (var o = 0; o < wanted.Length; o++)
            {
                wanted[o] |= work.Outputs[o];
            }
        }

        var outputNames = new List<string>(wanted.Length);
        var outputIndex = new int[wanted.Length];
        for (var o = 0; o < wanted.Length; o++)
        {
            outputIndex[o] = -1;
            if (wanted[o])
            {
                outputIndex[o] = outputNames.Count;
                outputNames.Add(model.OutputNames[o]);
            }
        }

        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                values[i] = merged
                    ? CreateMerged(group, i, totalRows, out handles[i], out rented[i])
                    : Create(group[0].Inputs[i], out handles[i]);
            }

            using var runOptions = new RunOptions();
            using var outputs = model.Session.Run(runOptions, model.InputNames, values, outputNames);
            var ran = Stopwatch.GetTimestamp();
            var ortOutputs = new OrtValue[wanted.Length];
            for (var o = 0; o < wanted.Length; o++)
            {
                if (outputIndex[o] >= 0)
                {
                    ortOutputs[o] = outputs[outputIndex[o]];
                    if (merged)
                    {
                        var info = ortOutputs[o].GetTensorTypeAndShape();
                        if (info.Shape.Length == 0 || info.Shape[0] != totalRows)
                        {
                            return false;
                        }
                    }
                }
            }

            var rowStart = 0;
            var buffer = new ArrayBufferWriter<byte>(256);
            ArrayBufferWriter<byte>? binary = null;
            foreach (var work in group)
            {
                buffer.ResetWrittenCount();
                if (work.Binary is not null)
                {
                    binary ??= new ArrayBufferWriter<byte>(1024);
                    binary.ResetWrittenCount();
                }

                using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
                {
                    OutputJson.Write(writer, model.OutputNames, ortOutputs, work.Outputs, rowStart, work.Rows, merged, work.Binary, binary);
                }

                rowStart += work.Rows;
                var queueMs = Stopwatch.GetElapsedTime(work.EnqueuedAt, started).TotalMilliseconds;
                var inferMs = Stopwatch.GetElapsedTime(started, ran).TotalMilliseconds;
                work.Complete(new InferResult(buffer.WrittenSpan.ToArray(), queueMs, inferMs, totalRows, work.Binary is null ? null : binary!.WrittenSpan.ToArray()));
            }

            return true;
        }
        finally
        {
            for (var i = 0; i < inputCount; i++)
            {
                values[i]?.Dispose();
                handles[i].Dispose();
                if (rented[i] is { } array)
                {
                    ArrayPool<byte>.Shared.Return(array);
                }
            }
        }
    }

    private static unsafe OrtValue Create(InputTensor input, out MemoryHandle handle)
    {
        if (input.DataType == TensorDataType.String)
        {
            handle = default;
            return Strings(input.Strings!, input.Shape);
        }

        handle = input.Buffer.AsMemory().Pin();
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, OrtDataTypes.ToOrt(input.DataType), input.Shape,
            (nint)handle.Pointer, input.ByteLength);
    }

    private static unsafe OrtValue CreateMerged(List<InferWork> group, int index, int totalRows, out MemoryHandle handle, out byte[]? rented)
    {
        var first = group[0].Inputs[index];
        var shape = (long[])first.Shape.Clone();
        shape[0] = totalRows;
        if (first.DataType == TensorDataType.String)
        {
            var strings = new List<string>();
            foreach (var work in group)
            {
                strings.AddRange(work.Inputs[index].Strings!);
            }

            handle = default;
            rented = null;
            return Strings([.. strings], shape);
        }

        var total = 0;
        foreach (var work in group)
        {
            total += work.Inputs[index].ByteLength;
        }

        rented = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        var offset = 0;
        foreach (var work in group)
        {
            var bytes = work.Inputs[index].Bytes;
            bytes.CopyTo(rented.AsSpan(offset));
            offset += bytes.Length;
        }

        handle = rented.AsMemory().Pin();
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, OrtDataTypes.ToOrt(first.DataType), shape,
            (nint)handle.Pointer, total);
    }

    private static OrtValue Strings(string[] strings, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < strings.Length; i++)
        {
            value.StringTensorSetElementAt(strings[i].AsSpan(), i);
        }

        return value;
    }
}
