namespace BenchPlatform.InferenceWorker.Predict;

/// <summary><c>{"ready":true}</c>.</summary>
public sealed record ReadyResponse(bool Ready);
