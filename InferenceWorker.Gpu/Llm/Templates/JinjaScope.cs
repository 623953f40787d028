namespace BenchPlatform.InferenceWorker.Llm.Templates;

/// <summary>Variables of a template render: a chain of frames (a <c>for</c> body is a frame over its parent).</summary>
internal sealed class JinjaScope(JinjaScope? parent)
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public object? Get(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._values.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return JinjaUndefined.Value;
    }

    /// <summary>Sets in this frame (Jinja: <c>set</c> inside a loop does not leak out of it; a namespace does).</summary>
    public void Set(string name, object? value) => _values[name] = value;

    public JinjaScope? Parent { get; } = parent;
}
