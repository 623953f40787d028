namespace BenchPlatform.Load.Tests.Support;

/// <summary>The reference request of a load scenario (<see cref="Limits"/>): a GET through the gateway and the answer it gets.</summary>
/// <param name="Path">The path, e.g. <c>/v1/models/mlp</c>.</param>
/// <param name="Status">The status that counts as a reference answer (404 for a lookup of a name that does not exist).</param>
internal sealed record Reference(string Path, int Status);
