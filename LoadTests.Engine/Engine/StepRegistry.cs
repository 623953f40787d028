namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// The steps a scenario's iterations have run, by name, each with its own records. Lookups read an immutable
/// dictionary without a lock; a new name (once per step per run) copies it.
/// </summary>
internal sealed class StepRegistry
{
    private readonly Lock _add = new();
    private Dictionary<string, StepState> _steps = new(StringComparer.Ordinal);
    private readonly List<StepState> _ordered = [];

    public StepState Get(string name)
    {
        if (Volatile.Read(ref _steps).TryGetValue(name, out var step))
        {
            return step;
        }

        lock (_add)
        {
            if (_steps.TryGetValue(name, out step))
            {
                return step;
            }

            step = new StepState(name, _ordered.Count);
            var copy = new Dictionary<string, StepState>(_steps, StringComparer.Ordinal) { [name] = step };
            _ordered.Add(step);
            Volatile.Write(ref _steps, copy);
            return step;
        }
    }

    /// <summary>The steps in the order they first ran.</summary>
    public IReadOnlyList<StepState> Ordered
    {
        get
        {
            lock (_add)
            {
                return [.. _ordered];
            }
        }
    }
}
