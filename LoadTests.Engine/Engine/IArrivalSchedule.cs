namespace BenchPlatform.LoadTests.Engine;

/// <summary>When the open model intends to start each request, independent of how the server answers.</summary>
public interface IArrivalSchedule
{
    /// <summary>Seconds after the run starts at which request <paramref name="sequence"/> is due.</summary>
    double OffsetSeconds(long sequence);

    /// <summary>The rate (requests per second) the schedule asks for at a given second, for reports.</summary>
    double RateAt(double seconds);
}
