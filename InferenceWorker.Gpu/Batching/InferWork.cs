using System.Diagnostics;

namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// One request's share of a run: its inputs in model order, the outputs it wants, where its result goes, and when it
/// stops being worth running (its caller left, or its deadline passed).
/// </summary>
internal sealed class InferWork(InputTensor[] inputs, bool[] outputs, bool[]? binary = null, long deadline = 0, CancellationToken aborted = default)
{
    private readonly TaskCompletionSource<InferResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InputTensor[] Inputs { get; } = inputs;

    /// <summary>For each model output, whether this request asked for it.</summary>
    public bool[] Outputs { get; } = outputs;

    /// <summary>For each model output, whether it goes back as binary tensor data; null when none does.</summary>
    public bool[]? Binary { get; } = binary;

    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The <see cref="Stopwatch"/> timestamp after which the caller no longer wants the answer; 0 for none.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>Cancelled when the caller disconnected.</summary>
    public CancellationToken Aborted { get; } = aborted;

    public int Rows => Inputs[0].Rows;

    public Task<InferResult> Result => _result.Task;

    public void Complete(InferResult result) => _result.TrySetResult(result);

    public void Fail(Exception error) => _result.TrySetException(error);

    /// <summary>
    /// Fails the work, without running it, when its caller left, its deadline passed by <paramref name="now"/>, or it
    /// waited longer than <paramref name="maxWait"/> (a request admitted before the model's cost was known, or while a
    /// runner stalled: Triton's queue timeout with REJECT); true when it did.
    /// </summary>
    public bool DropIfUnwanted(long now, TimeSpan maxWait)
    {
        if (Aborted.IsCancellationRequested)
        {
            _result.TrySetCanceled(Aborted);
            return true;
        }

        if (Deadline != 0 && now >= Deadline)
        {
            Fail(new DeadlineExceededException(Stopwatch.GetElapsedTime(EnqueuedAt, now)));
            return true;
        }

        var waited = Stopwatch.GetElapsedTime(EnqueuedAt, now);
        if (waited > maxWait)
        {
            Fail(new OverloadedException(
                $"The request waited {waited.TotalMilliseconds:0} ms in the model's queue, over the worker's {maxWait.TotalMilliseconds:0} ms queue bound " +
                "(Inference:MaxQueueWaitMilliseconds), and was not run; retry later.", TimeSpan.FromSeconds(1)));
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="other"/> can share a run with this one: every input's dimensions after the first agree.</summary>
    public bool Compatible(InferWork other)
    {
        for (var i = 0; i < Inputs.Length; i++)
        {
            var a = Inputs[i].Shape;
            var b = other.Inputs[i].Shape;
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var d = 1; d < a.Length; d++)
            {
                if (a[d] != b[d])
                {
                    return false;
                }
            }
        }

        return true;
    }
}
