using System.Diagnostics;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// Creates sessions with the chosen execution provider, the configured threads and optimization setting.
/// With <c>full</c> optimization the first load saves the optimized graph under
/// <c>{Storage:Root}/ort-cache/{sha256}-ort{version}-{provider}-{level}.onnx</c> and later loads read it
/// with optimizations off; <c>eager</c> turns graph optimizations off and skips the cache.
/// </summary>
public sealed class SessionFactory(
    IOptions<InferenceOptions> options, IOptions<StorageOptions> storage, BlobStore blobs, ExecutionProviderChoice provider)
{
    private static readonly string OrtVersion = OrtEnv.Instance().GetVersionString();

    /// <summary>Whether sessions are built with all graph optimizations (false: eager).</summary>
    public bool FullOptimization => options.Value.Optimization == "full";

    /// <summary>The optimized-graph cache path for a model blob.</summary>
    public string OptimizedPath(string sha256) =>
        Path.Combine(storage.Value.OrtCachePath, $"{sha256}-ort{OrtVersion}-{provider.ShortName}-all.onnx");

    /// <summary>Loads <paramref name="record"/> from the blob store; returns the session, the load time and the cache outcome.</summary>
    public (InferenceSession Session, double LoadMs, string OptimizedCache) Create(ModelRecord record)
    {
        var started = Stopwatch.GetTimestamp();
        using var sessionOptions = NewOptions();
        InferenceSession session;
        string cache;
        if (!FullOptimization)
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            session = new InferenceSession(blobs.PathOf(record.Sha256), sessionOptions);
            cache = "off";
        }
        else
        {
            var cached = OptimizedPath(record.Sha256);
            if (File.Exists(cached))
            {
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                session = new InferenceSession(cached, sessionOptions);
                cache = "hit";
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
                var temp = $"{cached}.{Guid.NewGuid():N}.tmp";
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
                sessionOptions.OptimizedModelFilePath = temp;
                session = new InferenceSession(blobs.PathOf(record.Sha256), sessionOptions);
                try
                {
                    File.Move(temp, cached, overwrite: true);
                }
                catch (IOException)
                {
                    File.Delete(temp);
                }

                cache = "miss";
            }
        }

        return (session, Stopwatch.GetElapsedTime(started).TotalMilliseconds, cache);
    }

    private SessionOptions NewOptions()
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.Value.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.Value.AllowSpinning ? "1" : "0");
        if (provider.IsCuda)
        {
            sessionOptions.AppendExecutionProvider_CUDA(provider.DeviceId);
        }

        return sessionOptions;
    }
}
