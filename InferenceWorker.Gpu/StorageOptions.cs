namespace BenchPlatform.InferenceWorker;

/// <summary>Where blobs and caches live (configuration section <c>Storage</c>, environment <c>Storage__Root</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Storage";

    /// <summary>The state folder shared by all replicas: <c>{Root}/blobs</c> and <c>{Root}/ort-cache</c>.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "benchplatform-inference");

    /// <summary>The content-addressed model blobs.</summary>
    public string BlobsPath => Path.Combine(Root, "blobs");

    /// <summary>The optimized-model cache.</summary>
    public string OrtCachePath => Path.Combine(Root, "ort-cache");
}
