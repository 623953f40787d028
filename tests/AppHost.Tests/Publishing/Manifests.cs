using BenchPlatform.AppHost.Publishing;
using BenchPlatform.AppHost.Publishing.Keda;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>A published set read back through the KubernetesClient deserializer, as an operator's tools would read it.</summary>
internal sealed class Manifests
{
    /// <summary>Kinds the KubernetesClient models do not know, by <c>apiVersion/kind</c>.</summary>
    public static readonly Dictionary<string, Type> CustomKinds = new(StringComparer.Ordinal)
    {
        [$"{ScaledObject.KubeApiVersion}/{ScaledObject.KubeKind}"] = typeof(ScaledObject),
    };

    private Manifests(IReadOnlyDictionary<string, string> files, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects)
    {
        Files = files;
        Objects = objects;
    }

    /// <summary>The YAML text of every manifest file, by file name.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>Every object, in file then document order.</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T One<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(Objects.OfType<T>(), o => o.Metadata.Name == name);

    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates =>
        All<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template)));

    public V1Container Container(string deployment) => Assert.Single(One<V1Deployment>(deployment).Spec.Template.Spec.Containers);

    /// <summary>Reads every <c>*.yaml</c> file directly in <paramref name="folder"/> (what <c>kubectl apply -f</c> reads).</summary>
    public static Manifests Load(string folder) =>
        Parse(Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText, StringComparer.Ordinal));

    /// <summary>Serializes an in-memory set and reads it back.</summary>
    public static Manifests From(PublishedSet set) =>
        Parse(set.Manifests.ToDictionary(f => f.Name, KubernetesPublisher.Serialize, StringComparer.Ordinal));

    /// <summary>Strict deserialization: an unknown field or a wrong type fails here, as it would in the API server.</summary>
    public static Manifests Parse(IReadOnlyDictionary<string, string> files)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var (name, text) in files)
        {
            foreach (var item in KubernetesYaml.LoadAllFromString(text, CustomKinds, strict: true))
            {
                objects.Add(Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(item));
            }

            Assert.True(objects.Count > 0, $"{name} holds no object");
        }

        return new Manifests(files, objects);
    }
}
