using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// Chooses CUDA when it was not ruled out by configuration, this ONNX Runtime build has the CUDA provider,
/// a device is visible and the provider initializes; otherwise CPU, with the reason.
/// </summary>
public static class ExecutionProviderSelector
{
    /// <summary>Makes the choice once, at start.</summary>
    public static ExecutionProviderChoice Choose(InferenceOptions options, string? cudaVisibleDevices)
    {
        if (options.ExecutionProvider == "cpu")
        {
            return new(ExecutionProviderChoice.Cpu, "Inference:ExecutionProvider is cpu", 0);
        }

        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(ExecutionProviderChoice.Cuda))
        {
            return new(ExecutionProviderChoice.Cpu,
                $"this ONNX Runtime build has no CUDA execution provider (it has {string.Join(", ", available)}); install Microsoft.ML.OnnxRuntime.Gpu for CUDA", 0);
        }

        if (cudaVisibleDevices is not null && (cudaVisibleDevices.Trim().Length == 0 || cudaVisibleDevices.Trim() == "-1"))
        {
            return new(ExecutionProviderChoice.Cpu, "CUDA_VISIBLE_DEVICES hides every device", 0);
        }

        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            return new(ExecutionProviderChoice.Cpu, $"the CUDA execution provider did not initialize: {ex.Message}", 0);
        }

        return new(ExecutionProviderChoice.Cuda, $"CUDA execution provider initialized on device {options.CudaDeviceId}", options.CudaDeviceId);
    }
}
