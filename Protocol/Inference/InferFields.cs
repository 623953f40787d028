using System.Text.Json;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// The member names of Open Inference Protocol v2 infer requests and responses (docs/api.md), encoded once: writers
/// pass them to <see cref="Utf8JsonWriter"/> as they are, readers compare with <see cref="JsonEncodedText.EncodedUtf8Bytes"/>
/// or look them up by <see cref="JsonEncodedText.Value"/>. The binary extension's header is <see cref="InferBodyReader.BinaryHeader"/>.
/// </summary>
public static class InferFields
{
    /// <summary><c>id</c>: the caller's request id, echoed in the response.</summary>
    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");

    /// <summary><c>inputs</c>: the request's tensors (also the model metadata's input list).</summary>
    public static readonly JsonEncodedText Inputs = JsonEncodedText.Encode("inputs");

    /// <summary><c>outputs</c>: the outputs asked for (request), the output tensors (response).</summary>
    public static readonly JsonEncodedText Outputs = JsonEncodedText.Encode("outputs");

    /// <summary><c>name</c> of a tensor.</summary>
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");

    /// <summary><c>datatype</c> of a tensor (<see cref="Tensors.TensorDataTypes"/>).</summary>
    public static readonly JsonEncodedText Datatype = JsonEncodedText.Encode("datatype");

    /// <summary><c>shape</c> of a tensor.</summary>
    public static readonly JsonEncodedText Shape = JsonEncodedText.Encode("shape");

    /// <summary><c>data</c>: a tensor's elements as JSON.</summary>
    public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");

    /// <summary><c>parameters</c> of the request, the response or a tensor.</summary>
    public static readonly JsonEncodedText Parameters = JsonEncodedText.Encode("parameters");

    /// <summary>A tensor parameter: its elements are this many bytes of binary tensor data after the JSON part.</summary>
    public static readonly JsonEncodedText BinaryDataSize = JsonEncodedText.Encode("binary_data_size");

    /// <summary>A request output's parameter: return this output as binary tensor data.</summary>
    public static readonly JsonEncodedText BinaryData = JsonEncodedText.Encode("binary_data");

    /// <summary>A request parameter: return every output as binary tensor data.</summary>
    public static readonly JsonEncodedText BinaryDataOutput = JsonEncodedText.Encode("binary_data_output");

    /// <summary>A request parameter: false bypasses the prediction cache.</summary>
    public static readonly JsonEncodedText Cache = JsonEncodedText.Encode("cache");

    /// <summary><c>model_name</c> of the response.</summary>
    public static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model_name");

    /// <summary><c>model_version</c> of the response.</summary>
    public static readonly JsonEncodedText ModelVersion = JsonEncodedText.Encode("model_version");

    /// <summary>A response parameter: milliseconds the model ran.</summary>
    public static readonly JsonEncodedText InferenceTimeMs = JsonEncodedText.Encode("inference_time_ms");

    /// <summary>A response parameter: true when the answer came from the prediction cache.</summary>
    public static readonly JsonEncodedText Cached = JsonEncodedText.Encode("cached");

    /// <summary>A response parameter: how many requests ran in the batch with this one.</summary>
    public static readonly JsonEncodedText BatchSize = JsonEncodedText.Encode("batch_size");
}
