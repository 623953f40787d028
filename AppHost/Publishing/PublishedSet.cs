namespace BenchPlatform.AppHost.Publishing;

/// <summary>Everything <c>publish</c> writes: the manifest files and the notes beside them (not applied by <c>kubectl apply -f</c>).</summary>
public sealed record PublishedSet(IReadOnlyList<ManifestFile> Manifests, IReadOnlyDictionary<string, string> Notes);
