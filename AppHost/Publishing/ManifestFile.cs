using k8s;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>One file of the published set: its name in the output folder and the objects it holds, in order.</summary>
public sealed record ManifestFile(string Name, IReadOnlyList<IKubernetesObject> Objects);
