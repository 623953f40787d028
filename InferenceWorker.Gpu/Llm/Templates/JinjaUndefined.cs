namespace BenchPlatform.InferenceWorker.Llm.Templates;

/// <summary>Jinja's undefined: renders as nothing, is false, and fails <c>is defined</c>.</summary>
internal sealed class JinjaUndefined
{
    public static readonly JinjaUndefined Value = new();

    private JinjaUndefined()
    {
    }

    public override string ToString() => "";
}
