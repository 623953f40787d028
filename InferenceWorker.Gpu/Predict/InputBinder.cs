using BenchPlatform.InferenceWorker.Registry;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>
/// Matches a request's inputs and requested outputs to what a loaded model expects; every mismatch is a
/// <see cref="BadRequestException"/> naming the input and what the model expects.
/// </summary>
public static class InputBinder
{
    private const string Title = ProblemTitles.InputDoesNotMatchModel;

    /// <summary>The request's inputs in model order, and for each model output whether it was asked for.</summary>
    public static (InputTensor[] Inputs, bool[] Outputs) Bind(ModelRecord record, int maxBatchSize, InferRequest request)
    {
        var name = record.Name;
        var model = record.Signature;
        var ordered = new InputTensor[model.Inputs.Count];
        foreach (var input in request.Inputs)
        {
            var index = IndexOf(model.Inputs, input.Name);
            if (index < 0)
            {
                throw new BadRequestException(Title, $"Input '{input.Name}' is not an input of model '{name}'; it expects {Expected(model.Inputs)}.");
            }

            if (ordered[index] is not null)
            {
                throw new BadRequestException(Title, $"Input '{input.Name}' is given twice; give each input once.");
            }

            var spec = model.Inputs[index];
            if (input.DataType != spec.DataType)
            {
                throw new BadRequestException(Title,
                    $"Input '{input.Name}' has datatype {TensorDataTypes.Name(input.DataType)}; model '{name}' expects {TensorDataTypes.Name(spec.DataType)} for it.");
            }

            if (!ShapeMatches(spec.Shape, input.Shape))
            {
                throw new BadRequestException(Title,
                    $"Input '{input.Name}' has shape [{string.Join(", ", input.Shape)}]; model '{name}' expects {spec.ShapeText} (-1 = any size).");
            }

            if (model.Batchable && input.Shape[0] > maxBatchSize)
            {
                throw new BadRequestException(Title,
                    $"Input '{input.Name}' has a batch of {input.Shape[0]} (first dimension); model '{name}' accepts at most {maxBatchSize} per request. Split the request.");
            }

            ordered[index] = input;
        }

        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i] is null)
            {
                throw new BadRequestException(Title, $"Input '{model.Inputs[i].Name}' is missing; model '{name}' expects {Expected(model.Inputs)}.");
            }
        }

        if (model.Batchable)
        {
            var rows = ordered[0].Shape[0];
            foreach (var input in ordered)
            {
                if (input.Shape[0] != rows)
                {
                    throw new BadRequestException(Title,
                        $"Input '{input.Name}' has a batch of {input.Shape[0]} but '{ordered[0].Name}' has {rows}; every input's first dimension must agree.");
                }
            }
        }

        var outputs = new bool[model.Outputs.Count];
        if (request.Outputs is null || request.Outputs.Count == 0)
        {
            Array.Fill(outputs, true);
        }
        else
        {
            foreach (var output in request.Outputs)
            {
                var index = IndexOf(model.Outputs, output);
                if (index < 0)
                {
                    throw new BadRequestException(Title, $"Output '{output}' is not an output of model '{name}'; it has {Expected(model.Outputs)}.");
                }

                outputs[index] = true;
            }
        }

        return (ordered, outputs);
    }

    /// <summary>
    /// For each model output, whether it goes back as binary tensor data (<c>parameters.binary_data_output</c> for all,
    /// or an output's <c>parameters.binary_data</c>); null when none does. Names were checked by <see cref="Bind"/>.
    /// </summary>
    public static bool[]? BinaryOutputs(ModelRecord record, InferRequest request)
    {
        if (!request.BinaryOutput && request.BinaryOutputs is null)
        {
            return null;
        }

        var outputs = record.Signature.Outputs;
        var binary = new bool[outputs.Count];
        if (request.BinaryOutput)
        {
            Array.Fill(binary, true);
            return binary;
        }

        foreach (var name in request.BinaryOutputs!)
        {
            var index = IndexOf(outputs, name);
            if (index >= 0)
            {
                binary[index] = true;
            }
        }

        return binary;
    }

    private static bool ShapeMatches(long[] expected, long[] actual)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] >= 0 && expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOf(IReadOnlyList<ModelInput> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Expected(IReadOnlyList<ModelInput> specs) => string.Join(", ", specs.Select(s => s.Describe()));
}
