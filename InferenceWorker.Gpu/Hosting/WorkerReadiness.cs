namespace BenchPlatform.InferenceWorker.Hosting;

/// <summary>Whether start-up (migrations, sample registration, preload) has finished, and what it is doing if not.</summary>
public sealed class WorkerReadiness
{
    private volatile string _step = "starting";
    private volatile bool _ready;

    /// <summary>True once the preload list is loaded and run.</summary>
    public bool IsReady => _ready;

    /// <summary>Records the current start-up step.</summary>
    public void Step(string step) => _step = step;

    /// <summary>Marks the replica ready.</summary>
    public void MarkReady()
    {
        _step = "ready";
        _ready = true;
    }

    /// <summary>What start-up is doing, for a 503's detail.</summary>
    public string Describe() => _ready ? "ready" : $"The worker is still starting ({_step}); retry shortly.";
}
