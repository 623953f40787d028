namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>v2 model readiness: registered means it can be served (loaded on first use); <see cref="Loaded"/> says whether it is loaded in this replica.</summary>
public sealed record ModelReadyResponse(string Name, string Version, bool Ready, bool Loaded);
