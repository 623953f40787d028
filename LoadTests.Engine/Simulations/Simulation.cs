using System.Globalization;

namespace BenchPlatform.LoadTests;

/// <summary>
/// Load simulations (NBomber's names). Open ones (<see cref="Inject"/>, <see cref="RampingInject"/>) start iterations on a
/// schedule whatever the target does, spread evenly (wrk2's model), and latency counts from each iteration's intended start
/// (coordinated-omission corrected). Closed ones (<see cref="KeepConstant"/>, <see cref="IterationsForConstant"/>) run
/// copies that each start their next iteration when the last one ends. Chained phases run one after another.
/// </summary>
public static class Simulation
{
    /// <summary><paramref name="rate"/> iterations per <paramref name="interval"/>, for <paramref name="during"/> (open model).</summary>
    public static LoadSimulation Inject(double rate, TimeSpan interval, TimeSpan during)
    {
        var perSecond = RatePerSecond(nameof(Inject), rate, interval);
        Positive(nameof(Inject), nameof(during), during);
        return new LoadSimulation(LoadSimulationKind.Inject, perSecond, 0, during, 0, Text($"Inject({Num(rate)}/{Num(interval.TotalSeconds)}s, {Num(during.TotalSeconds)}s)"));
    }

    /// <summary>
    /// The rate moves linearly from the previous phase's rate (0 when first) to <paramref name="rate"/> per
    /// <paramref name="interval"/> over <paramref name="during"/> (open model).
    /// </summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during)
    {
        var perSecond = RatePerSecond(nameof(RampingInject), rate, interval);
        Positive(nameof(RampingInject), nameof(during), during);
        return new LoadSimulation(LoadSimulationKind.RampingInject, perSecond, 0, during, 0, Text($"RampingInject(→{Num(rate)}/{Num(interval.TotalSeconds)}s, {Num(during.TotalSeconds)}s)"));
    }

    /// <summary><paramref name="copies"/> concurrent copies for <paramref name="during"/> (closed model).</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during)
    {
        Copies(nameof(KeepConstant), copies);
        Positive(nameof(KeepConstant), nameof(during), during);
        return new LoadSimulation(LoadSimulationKind.KeepConstant, 0, copies, during, 0, Text($"KeepConstant({copies}, {Num(during.TotalSeconds)}s)"));
    }

    /// <summary><paramref name="copies"/> concurrent copies until <paramref name="iterations"/> iterations are done in all (closed model).</summary>
    public static LoadSimulation IterationsForConstant(int copies, long iterations)
    {
        Copies(nameof(IterationsForConstant), copies);
        if (iterations <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"Simulation.IterationsForConstant: iterations must be 1 or more (got {iterations}); to run for a time instead, use Simulation.KeepConstant(copies, during).");
        }

        return new LoadSimulation(LoadSimulationKind.IterationsForConstant, 0, copies, TimeSpan.Zero, iterations, Text($"IterationsForConstant({copies}, {iterations})"));
    }

    /// <summary>A linear ramp from <paramref name="from"/> to <paramref name="to"/> per second (the CLI's <c>--ramp-to</c>).</summary>
    internal static LoadSimulation Ramp(double from, double to, TimeSpan during) =>
        RampingInject(to, TimeSpan.FromSeconds(1), during) with { RampFrom = RatePerSecond(nameof(RampingInject), from, TimeSpan.FromSeconds(1)) };

    /// <summary><paramref name="copies"/> iterations started at once, one per copy (cold-start bursts).</summary>
    internal static LoadSimulation Burst(int copies) => IterationsForConstant(copies, copies) with { OncePerCopy = true };

    private static double RatePerSecond(string simulation, double rate, TimeSpan interval)
    {
        if (!double.IsFinite(rate) || rate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"Simulation.{simulation}: rate must be a positive number of iterations per interval (got {rate.ToString(CultureInfo.InvariantCulture)}); for a pause between phases use a short Inject at a low rate, to stop use fewer phases.");
        }

        Positive(simulation, nameof(interval), interval);
        return rate / interval.TotalSeconds;
    }

    private static void Positive(string simulation, string parameter, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"Simulation.{simulation}: {parameter} must be longer than zero (got {value}), e.g. TimeSpan.FromSeconds(30).");
        }
    }

    private static void Copies(string simulation, int copies)
    {
        if (copies <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(copies), copies, $"Simulation.{simulation}: copies must be 1 or more (got {copies}).");
        }
    }

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
