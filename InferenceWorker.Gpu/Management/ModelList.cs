namespace BenchPlatform.InferenceWorker.Management;

/// <summary><c>{"object":"list","data":[…]}</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelListEntry> Data)
{
    /// <summary>Always <c>list</c>.</summary>
    public string Object => "list";
}
