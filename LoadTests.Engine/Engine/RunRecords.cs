namespace BenchPlatform.LoadTests.Engine;

/// <summary>Everything one engine run recorded: every request (warm-up included, flagged) and what was never sent.</summary>
public sealed class RunRecords
{
    /// <summary>Every request, in completion order (read in place from the engine's buffers).</summary>
    public required RecordList Records { get; init; }

    /// <summary>Wall-clock time at which tick 0 of the records was taken.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Ticks per second of the record times.</summary>
    public required long Frequency { get; init; }

    /// <summary>"open", "closed", "mixed" (both, chained) or "burst" (one iteration per copy, at once).</summary>
    public required string Model { get; init; }

    /// <summary>Warm-up length in seconds.</summary>
    public required double WarmupSeconds { get; init; }

    /// <summary>Measured length in seconds (after the warm-up).</summary>
    public required double MeasuredSeconds { get; init; }

    /// <summary>
    /// Measured iterations the load simulations asked for: the open model's schedule in the measured window, and the
    /// iterations closed copies started. Every one is either sent (on time or late) or dropped: <c>Due = sent + Dropped</c>.
    /// </summary>
    public long Due { get; init; }

    /// <summary>Requests the schedule asked for in the measured window that were never sent.</summary>
    public required long Dropped { get; init; }

    /// <summary>Measured requests sent later than the late bound after their intended start.</summary>
    public required long Late { get; init; }

    /// <summary>The rate asked for (open model), else 0.</summary>
    public required double TargetRate { get; init; }

    /// <summary>Outstanding requests allowed (open) or clients (closed).</summary>
    public required int Concurrency { get; init; }

    /// <summary>Converts ticks to milliseconds.</summary>
    public double Ms(long ticks) => ticks * 1000.0 / Frequency;

    /// <summary>
    /// Joins runs taken one after another (cold-start repeats) into one, on the first run's time base; sequences are renumbered.
    /// </summary>
    public static RunRecords Merge(IReadOnlyList<RunRecords> runs, string model)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var first = runs[0];
        var all = new List<RequestRecord>();
        long sequence = 0;
        double measured = 0;
        long due = 0, dropped = 0, late = 0;
        foreach (var run in runs)
        {
            var shift = (long)((run.StartedAt - first.StartedAt).TotalSeconds * first.Frequency);
            foreach (var source in run.Records)
            {
                var record = source;
                record.Sequence = sequence++;
                record.IntendedTicks += shift;
                record.SentTicks += shift;
                record.FirstByteTicks += shift;
                record.EndTicks += shift;
                if (record.FirstTokenTicks != 0)
                {
                    record.FirstTokenTicks += shift;
                }

                all.Add(record);
            }

            measured += run.MeasuredSeconds;
            due += run.Due;
            dropped += run.Dropped;
            late += run.Late;
        }

        return new RunRecords
        {
            Records = RecordList.From([.. all]),
            StartedAt = first.StartedAt,
            Frequency = first.Frequency,
            Model = model,
            WarmupSeconds = 0,
            MeasuredSeconds = measured,
            Due = due,
            Dropped = dropped,
            Late = late,
            TargetRate = 0,
            Concurrency = first.Concurrency,
        };
    }
}
