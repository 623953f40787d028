using System.Diagnostics;
using System.Globalization;
using BenchPlatform.InferenceWorker.Registry;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>
/// Creates sessions with the chosen execution provider, intra-op threads (measured per model, or configured) and
/// optimization setting.
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

    /// <summary>
    /// Loads <paramref name="record"/> from the blob store. With the <c>measured</c> thread policy on a CPU with more than
    /// one core for this replica, it loads the model once per candidate intra-op thread count, times each on zero inputs
    /// and keeps the fewest threads within 10 % of the fastest (fewer threads leave cores to concurrent requests).
    /// </summary>
    public LoadedSession Create(ModelRecord record)
    {
        var started = Stopwatch.GetTimestamp();
        var value = options.Value;
        var cores = value.IntraOpThreads > 0 ? value.IntraOpThreads : Environment.ProcessorCount;
        if (value.ThreadPolicy != "measured" || provider.IsCuda || cores == 1)
        {
            var (fixedSession, cache) = Load(record, value.IntraOpThreads);
            return new LoadedSession(fixedSession, Stopwatch.GetElapsedTime(started).TotalMilliseconds, cache, value.IntraOpThreads, null);
        }

        InferenceSession? best = null;
        var bestThreads = 0;
        var bestMs = double.MaxValue;
        var firstCache = "";
        var measured = new List<string>();
        foreach (var threads in IntraOpProbe.Candidates(cores))
        {
            var (session, cache) = Load(record, threads);
            if (measured.Count == 0)
            {
                firstCache = cache;
            }

            var ms = IntraOpProbe.MedianRunMs(session, record.Signature, runs: 15, budget: TimeSpan.FromMilliseconds(200));
            if (ms is not { } median)
            {
                // Not probeable (string inputs, no accepted size): every core, as the fixed policy gives.
                session.Dispose();
                best?.Dispose();
                var (all, allCache) = Load(record, cores);
                return new LoadedSession(all, Stopwatch.GetElapsedTime(started).TotalMilliseconds, firstCache.Length > 0 ? firstCache : allCache, cores, "not measured");
            }

            measured.Add(string.Create(CultureInfo.InvariantCulture, $"{threads}: {median:0.###} ms"));
            if (best is null || median < bestMs * 0.9)
            {
                best?.Dispose();
                (best, bestThreads, bestMs) = (session, threads, median);
            }
            else
            {
                session.Dispose();
            }
        }

        return new LoadedSession(best!, Stopwatch.GetElapsedTime(started).TotalMilliseconds, firstCache, bestThreads, string.Join(", ", measured));
    }

    private (InferenceSession Session, string OptimizedCache) Load(ModelRecord record, int intraOpThreads)
    {
        using var sessionOptions = NewOptions(intraOpThreads);
        if (!FullOptimization)
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            return (new InferenceSession(blobs.PathOf(record.Sha256), sessionOptions), "off");
        }

        var cached = OptimizedPath(record.Sha256);
        if (File.Exists(cached))
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            return (new InferenceSession(cached, sessionOptions), "hit");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temp = $"{cached}.{Guid.NewGuid():N}.tmp";
        sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        sessionOptions.OptimizedModelFilePath = temp;
        var session = new InferenceSession(blobs.PathOf(record.Sha256), sessionOptions);
        try
        {
            File.Move(temp, cached, overwrite: true);
        }
        catch (IOException)
        {
            File.Delete(temp);
        }

        return (session, "miss");
    }

    private SessionOptions NewOptions(int intraOpThreads)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
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
