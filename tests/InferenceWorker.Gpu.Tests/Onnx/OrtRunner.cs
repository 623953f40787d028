using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Tests.Onnx;

/// <summary>Runs model bytes in ONNX Runtime (CPU) with named inputs and returns every output.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly List<(string Name, OrtValue Value)> _inputs = [];

    public OrtRunner(byte[] model)
    {
        using var options = new SessionOptions();
        _session = new InferenceSession(model, options);
    }

    public InferenceSession Session => _session;

    public OrtRunner With<T>(string name, long[] shape, T[] data) where T : unmanaged
    {
        _inputs.Add((name, OrtValue.CreateTensorValueFromMemory(data, shape)));
        return this;
    }

    public OrtRunner WithStrings(string name, long[] shape, string[] data)
    {
        _inputs.Add((name, OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(data, shape.Select(d => (int)d).ToArray()))));
        return this;
    }

    public Dictionary<string, OrtValue> Run()
    {
        var names = _session.OutputNames;
        using var runOptions = new RunOptions();
        var outputs = _session.Run(runOptions, _inputs.Select(i => i.Name).ToArray(), _inputs.Select(i => i.Value).ToArray(), names);
        var result = new Dictionary<string, OrtValue>();
        for (var i = 0; i < names.Count; i++)
        {
            result[names[i]] = outputs[i];
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var (_, value) in _inputs)
        {
            value.Dispose();
        }

        _session.Dispose();
    }
}
