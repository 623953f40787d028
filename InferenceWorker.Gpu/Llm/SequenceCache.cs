namespace BenchPlatform.InferenceWorker.Llm;

/// <summary>
/// What an engine keeps for one admitted sequence between steps: its KV positions (arrays for ONNX Runtime, a
/// sequence id in the shared context for llama.cpp). Owned by the generation loop; disposed when the sequence leaves.
/// </summary>
internal abstract class SequenceCache(int capacity) : IDisposable
{
    /// <summary>KV positions reserved for the sequence.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Positions filled so far.</summary>
    public int Length { get; set; }

    public bool Disposed { get; private set; }

    public void Dispose()
    {
        if (Disposed)
        {
            return;
        }

        Disposed = true;
        Free();
    }

    /// <summary>Returns the positions to the engine.</summary>
    protected abstract void Free();
}
