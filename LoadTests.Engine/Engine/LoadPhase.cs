namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// One phase of a run as the engine executes it: an open schedule for a number of seconds, or closed copies for a number
/// of seconds and/or until a number of measured iterations.
/// </summary>
internal sealed record LoadPhase(IArrivalSchedule? Schedule, double Seconds, int Copies, long? Iterations, bool OncePerCopy)
{
    public bool IsOpen => Schedule is not null;

    public static LoadPhase Open(IArrivalSchedule schedule, double seconds) => new(schedule, seconds, 0, null, false);

    public static LoadPhase Closed(int copies, double seconds, long? iterations, bool oncePerCopy = false) => new(null, seconds, copies, iterations, oncePerCopy);

    /// <summary>
    /// The phases of a scenario: its warm-up (the start of its simulations played for the warm-up duration, NBomber's way,
    /// the last one held when the warm-up is longer than they are) and then its simulations; consecutive open simulations join into one schedule, so a ramp flows into a hold.
    /// </summary>
    public static List<LoadPhase> Compile(IReadOnlyList<LoadSimulation> simulations, TimeSpan warmUp)
    {
        var timeline = new List<LoadSimulation>();
        var left = warmUp.TotalSeconds;
        double previousRate = 0;
        foreach (var simulation in simulations)
        {
            if (left <= 0)
            {
                break;
            }

            var from = simulation.Kind == LoadSimulationKind.RampingInject ? simulation.RampFrom ?? previousRate : simulation.RatePerSecond;
            switch (simulation.Kind)
            {
                case LoadSimulationKind.IterationsForConstant:
                    timeline.Add(Simulation.KeepConstant(simulation.Copies, TimeSpan.FromSeconds(left)));
                    left = 0;
                    break;
                case LoadSimulationKind.KeepConstant:
                    timeline.Add(Simulation.KeepConstant(simulation.Copies, TimeSpan.FromSeconds(Math.Min(left, simulation.During.TotalSeconds))));
                    left -= simulation.During.TotalSeconds;
                    break;
                default:
                    var seconds = Math.Min(left, simulation.During.TotalSeconds);
                    var to = from + ((simulation.RatePerSecond - from) * seconds / simulation.During.TotalSeconds);
                    timeline.Add(Simulation.Ramp(Math.Max(from, 1e-9), Math.Max(to, 1e-9), TimeSpan.FromSeconds(seconds)));
                    left -= simulation.During.TotalSeconds;
                    break;
            }

            previousRate = simulation.IsOpen ? simulation.RatePerSecond : 0;
        }

        if (left > 0 && simulations.Count > 0)
        {
            // A warm-up longer than the simulations holds where they end (the last rate, or the last copies) for the rest,
            // so the measured part starts when the warm-up says, not when the simulations ran out.
            var last = simulations[^1];
            timeline.Add(last.IsOpen
                ? Simulation.Ramp(Math.Max(last.RatePerSecond, 1e-9), Math.Max(last.RatePerSecond, 1e-9), TimeSpan.FromSeconds(left))
                : Simulation.KeepConstant(last.Copies, TimeSpan.FromSeconds(left)));
        }

        timeline.AddRange(simulations);
        var phases = new List<LoadPhase>();
        var segments = new List<(double From, double To, double Seconds)>();
        previousRate = 0;
        foreach (var simulation in timeline)
        {
            if (simulation.IsOpen)
            {
                var from = simulation.Kind == LoadSimulationKind.RampingInject ? simulation.RampFrom ?? previousRate : simulation.RatePerSecond;
                segments.Add((from, simulation.RatePerSecond, simulation.During.TotalSeconds));
                previousRate = simulation.RatePerSecond;
                continue;
            }

            Flush();
            previousRate = 0;
            phases.Add(simulation.Kind == LoadSimulationKind.KeepConstant
                ? Closed(simulation.Copies, simulation.During.TotalSeconds, null)
                : Closed(simulation.Copies, double.PositiveInfinity, simulation.Iterations, simulation.OncePerCopy));
        }

        Flush();
        return phases;

        void Flush()
        {
            if (segments.Count > 0)
            {
                var schedule = new PiecewiseArrival(segments);
                phases.Add(Open(schedule, schedule.TotalSeconds));
                segments.Clear();
            }
        }
    }
}
