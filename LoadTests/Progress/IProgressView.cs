using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Progress;

/// <summary>Shows a run as it goes: a live table on a terminal, plain lines in CI or a pipe.</summary>
public interface IProgressView
{
    /// <summary>A one-off line (setup, a step's result).</summary>
    void Info(string line);

    /// <summary>Shows the engine's counters while <paramref name="run"/> goes on.</summary>
    Task<T> TrackAsync<T>(string step, TimeSpan expected, LoadEngine engine, Func<Task<T>> run);
}
