namespace BenchPlatform.LoadTests.Engine;

/// <content>
/// The open model: a dispatcher thread that only keeps time starts each iteration on its schedule, sent late or
/// counted dropped when no slot frees in time.
/// </content>
public sealed partial class LoadEngine
{
    private async Task<(long Due, long Dropped)> RunOpenPhaseAsync(RunState state, ScenarioProps scenario, IArrivalSchedule schedule, double phaseStart, double seconds, double warmupEnd, SemaphoreSlim slots, long[] sequence)
    {
        var dispatcher = new TaskCompletionSource<(long, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                dispatcher.SetResult(Dispatch(state, scenario, schedule, phaseStart, seconds, warmupEnd, slots, sequence));
            }
            catch (Exception ex)
            {
                dispatcher.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "loadtests-dispatcher",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        return await dispatcher.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the phase's iterations on their schedule and returns how many measured ones were due and how many of those
    /// were never started (dropped): every due iteration is either started (on time or late) or counted dropped, also
    /// when the run is stopped, so <c>sent + dropped == due</c> at the end.
    /// </summary>
    private (long Due, long Dropped) Dispatch(RunState state, ScenarioProps scenario, IArrivalSchedule schedule, double phaseStart, double seconds, double warmupEnd, SemaphoreSlim slots, long[] sequence)
    {
        var frequency = _time.TimestampFrequency;
        var end = phaseStart + seconds;
        var endTicks = (long)(end * frequency);
        var oneMs = frequency / 1000;
        var giveUpTicks = endTicks;
        var stallLimitTicks = endTicks + (long)(_requestTimeout.TotalSeconds * frequency);
        long due = 0;
        for (long local = 0; ; local++)
        {
            var offset = phaseStart + schedule.OffsetSeconds(local);
            if (offset >= end)
            {
                return (due, 0);
            }

            var intended = (long)(offset * frequency);
            while (true)
            {
                if (state.CancellationToken.IsCancellationRequested)
                {
                    return Stop(local);
                }

                var wait = intended - state.Now();
                if (wait <= 0)
                {
                    break;
                }

                if (wait > 2 * oneMs)
                {
                    Thread.Sleep((int)((wait - oneMs) / oneMs));
                }
                else if (wait > oneMs / 20)
                {
                    // Timer slack makes usleep overshoot by ~50 µs: ask for a little less and finish the wait in the loop.
                    PreciseSleep.Microseconds((wait * 1_000_000 / frequency) - 40);
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }

            if (!slots.Wait(0) && !WaitForSlot(state, slots, ref giveUpTicks, stallLimitTicks))
            {
                return Stop(local);
            }

            var warmup = offset < warmupEnd;
            if (!warmup)
            {
                due++;
            }

            state.Counters.OnSent();
            state.Enter();

            // The iteration runs on the thread pool so the dispatcher only keeps time; work items are pooled. Whether it is
            // late is decided when it actually starts there (a starved pool delays it as much as a late dispatcher).
            ThreadPool.UnsafeQueueUserWorkItem(IterationWorkItem.Rent(this, state, scenario, sequence[0]++, intended, warmup), preferLocal: false);
        }

        (long, long) Stop(long from)
        {
            var notSent = CountDue(schedule, from, phaseStart, warmupEnd, end);
            state.Counters.OnDropped(notSent);
            return (due + notSent, notSent);
        }
    }

    /// <summary>
    /// Waits for a free slot until <paramref name="giveUpTicks"/> (the end of the phase at first). Time in which no
    /// iteration completed at all is a stall, not the target's capacity: a cold client or process (connections, JIT, a
    /// thread pool that starts with one thread per core) or a paused server holds every slot and then frees them all at
    /// once. That time moves the give-up point later, up to the request timeout past the phase end (the drain's own bound),
    /// so the iterations due in it are sent late (corrected latency and <c>late</c> show it) instead of counted as dropped.
    /// Under overload iterations keep completing, nothing is moved, and what the phase could not send is dropped.
    /// </summary>
    private bool WaitForSlot(RunState state, SemaphoreSlim slots, ref long giveUpTicks, long stallLimitTicks)
    {
        var frequency = _time.TimestampFrequency;
        while (true)
        {
            var now = state.Now();
            var left = giveUpTicks - now;
            if (left <= 0 || state.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            var completed = state.Counters.Completed;
            var wait = Math.Min(left, frequency / 4);
            if (slots.Wait(TimeSpan.FromSeconds(wait / (double)frequency)))
            {
                return true;
            }

            if (state.Counters.Completed == completed)
            {
                giveUpTicks = Math.Min(stallLimitTicks, giveUpTicks + (state.Now() - now));
            }
        }
    }

    private static long CountDue(IArrivalSchedule schedule, long from, double phaseStart, double warmupEnd, double end)
    {
        long count = 0;
        for (var local = from; ; local++)
        {
            var offset = phaseStart + schedule.OffsetSeconds(local);
            if (offset >= end)
            {
                return count;
            }

            if (offset >= warmupEnd)
            {
                count++;
            }
        }
    }
}
