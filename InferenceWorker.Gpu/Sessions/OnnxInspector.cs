using BenchPlatform.InferenceWorker.Registry;
using Microsoft.ML.OnnxRuntime;

namespace BenchPlatform.InferenceWorker.Sessions;

/// <summary>Reads a model's signature from an ONNX Runtime session, and checks uploaded bytes load at all.</summary>
public static class OnnxInspector
{
    /// <summary>
    /// Loads <paramref name="model"/> in ONNX Runtime (CPU, optimizations off: only "does it load") and returns its
    /// signature; throws <see cref="InvalidModelException"/> with ONNX Runtime's reason when it does not load.
    /// </summary>
    public static (List<TensorSpec> Inputs, List<TensorSpec> Outputs) Verify(byte[] model)
    {
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
            using var session = new InferenceSession(model, options);
            var inputs = Signature(session.InputMetadata);
            var outputs = Signature(session.OutputMetadata);
            return (inputs.ConvertAll(ToSpec), outputs.ConvertAll(ToSpec));
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidModelException($"ONNX Runtime cannot load these bytes: {ex.Message}");
        }
    }

    /// <summary>The tensors of a session's inputs or outputs; anything but a tensor of a supported type is refused.</summary>
    public static List<ModelInput> Signature(IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var result = new List<ModelInput>(metadata.Count);
        foreach (var (name, node) in metadata)
        {
            if (node.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
            {
                throw new InvalidModelException($"'{name}' is a {node.OnnxValueType}; the worker serves models whose inputs and outputs are tensors.");
            }

            var type = OrtDataTypes.FromOrt(node.ElementDataType);
            if (type == TensorDataType.Unknown)
            {
                throw new InvalidModelException($"'{name}' has element type {node.ElementDataType}, which the inference API does not carry.");
            }

            var shape = new long[node.Dimensions.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = node.Dimensions[i] < 0 ? -1 : node.Dimensions[i];
            }

            result.Add(new ModelInput(name, type, shape));
        }

        return result;
    }

    private static TensorSpec ToSpec(ModelInput input) => new(input.Name, TensorDataTypes.Name(input.DataType), input.Shape);
}
