namespace BenchPlatform.InferenceWorker.Management;

/// <summary>
/// A source of entries for <c>GET /v1/models</c> besides the ONNX registry (the LLM feature registers one:
/// <c>services.AddSingleton&lt;IModelListSource, …&gt;()</c>).
/// </summary>
public interface IModelListSource
{
    /// <summary>The entries this source contributes.</summary>
    Task<IReadOnlyList<ModelListEntry>> ListAsync(CancellationToken cancellationToken);
}
