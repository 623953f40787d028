namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>The execution provider every session of this process uses, and why it was chosen.</summary>
public sealed record ExecutionProviderChoice(string Provider, string Reason, int DeviceId)
{
    /// <summary>The CUDA provider's name as ONNX Runtime reports it.</summary>
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>The CPU provider's name.</summary>
    public const string Cpu = "CPUExecutionProvider";

    /// <summary>Whether sessions run on CUDA.</summary>
    public bool IsCuda => Provider == Cuda;

    /// <summary>A short word for cache keys and health: <c>cuda</c> or <c>cpu</c>.</summary>
    public string ShortName => IsCuda ? "cuda" : "cpu";
}
