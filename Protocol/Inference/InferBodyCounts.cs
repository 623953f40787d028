namespace BenchPlatform.Protocol.Inference;

/// <summary>What a valid infer body holds, as <see cref="InferBodyReader.Validate"/> counts it.</summary>
/// <param name="Inputs">The tensors in <c>inputs</c>.</param>
/// <param name="Elements">Their elements, all inputs together.</param>
/// <param name="BinaryBytes">The bytes of binary tensor data after the JSON part.</param>
public readonly record struct InferBodyCounts(int Inputs, long Elements, long BinaryBytes)
{
    internal static InferBodyCounts Of(InferRequest request, long binaryBytes)
    {
        long elements = 0;
        foreach (var input in request.Inputs)
        {
            elements += input.ElementCount;
        }

        return new(request.Inputs.Count, elements, binaryBytes);
    }
}
