namespace BenchPlatform.Protocol.Problems;

/// <summary>
/// The title of every <c>application/problem+json</c> refusal the services answer with. A client may switch on a title
/// or on its <c>type</c> (<see cref="ProblemTypes"/>), whose section in docs/api.md says what to change.
/// </summary>
public static class ProblemTitles
{
    // Answered by more than one service.

    /// <summary>400 from the gateway: a JSON body of the wrong shape (with <c>field</c>).</summary>
    public const string InvalidRequest = "Invalid request";

    /// <summary>400: an infer body that the one infer-body reader refuses (gateway and worker alike).</summary>
    public const string InvalidInferenceRequest = "Invalid inference request";

    /// <summary>400: the bytes after the JSON part of a binary tensor data body do not fit the inputs.</summary>
    public const string InvalidBinaryTensorData = "Invalid binary tensor data";

    /// <summary>400: the <c>Request-Timeout</c> header is not a number of seconds in range.</summary>
    public const string InvalidRequestTimeout = "Invalid request timeout";

    /// <summary>413: the body is over the endpoint's cap.</summary>
    public const string BodyTooLarge = "Body too large";

    /// <summary>415: a body of another media type.</summary>
    public const string UnsupportedContentType = "Unsupported content type";

    /// <summary>503: the request was refused to keep latency bounded; retry after <c>Retry-After</c>.</summary>
    public const string Overloaded = "Overloaded";

    /// <summary>504: the request's deadline passed before it ran.</summary>
    public const string DeadlineExceeded = "Deadline exceeded";

    /// <summary>404: no model (or version) with that name.</summary>
    public const string ModelNotFound = "Model not found";

    /// <summary>503: PostgreSQL does not answer.</summary>
    public const string RegistryUnavailable = "Registry unavailable";

    // The gateway.

    /// <summary>400: the body ended before its <c>Content-Length</c>.</summary>
    public const string RequestBodyIncomplete = "Request body incomplete";

    /// <summary>401: no API key, or one the gateway does not know.</summary>
    public const string ApiKeyRequired = "API key required";

    /// <summary>403: a non-admin key on an admin route.</summary>
    public const string AdminKeyRequired = "Admin key required";

    /// <summary>404: no route for the path.</summary>
    public const string UnknownRoute = "Unknown route";

    /// <summary>405: the route does not take the method.</summary>
    public const string MethodNotAllowed = "Method not allowed";

    /// <summary>414: path and query over the gateway's cap.</summary>
    public const string RequestTargetTooLong = "Request target too long";

    /// <summary>429: the caller's request rate is over its limit.</summary>
    public const string RateLimitExceeded = "Rate limit exceeded";

    /// <summary>502 or 503: the replica broke the exchange before answering.</summary>
    public const string ReplicaFailed = "Replica failed";

    /// <summary>503: no healthy replica is in rotation.</summary>
    public const string NoReplicaAvailable = "No replica available";

    /// <summary>503: no replica became ready within the hold timeout.</summary>
    public const string ColdStartTimedOut = "Cold start timed out";

    /// <summary>503: an operator set the cluster's maximum to zero replicas.</summary>
    public const string ScaledToZero = "Scaled to zero";

    /// <summary>503: the replica refused the connection.</summary>
    public const string ReplicaUnreachable = "Replica unreachable";

    /// <summary>504: the replica sent nothing for the gateway's request timeout.</summary>
    public const string ReplicaTimedOut = "Replica timed out";

    /// <summary>401 on <c>/_internal</c>: the internal token is missing or wrong.</summary>
    public const string InternalTokenRequired = "Missing or wrong internal token";

    /// <summary>404 on <c>/_internal</c>: no cluster of that name.</summary>
    public const string UnknownCluster = "Unknown cluster";

    /// <summary>400 on <c>/_internal</c>: the body is not JSON.</summary>
    public const string MalformedJson = "Malformed JSON";

    /// <summary>400 on <c>/_internal</c>: a replica set of the wrong shape.</summary>
    public const string InvalidReplicaSet = "Invalid replica set";

    // The inference worker: models and OIP v2 inference.

    /// <summary>400: a model name outside the allowed characters or length.</summary>
    public const string InvalidModelName = "Invalid model name";

    /// <summary>400: <c>max_batch_size</c> out of range.</summary>
    public const string InvalidMaxBatchSize = "Invalid max_batch_size";

    /// <summary>400: <c>max_queue_delay_us</c> out of range.</summary>
    public const string InvalidMaxQueueDelay = "Invalid max_queue_delay_us";

    /// <summary>413: an upload over the worker's cap.</summary>
    public const string ModelTooLarge = "Model too large";

    /// <summary>400: an upload with no bytes.</summary>
    public const string EmptyUpload = "Empty upload";

    /// <summary>400: ONNX Runtime cannot load the uploaded bytes.</summary>
    public const string NotALoadableOnnxModel = "Not a loadable ONNX model";

    /// <summary>507: the worker's model store has no room.</summary>
    public const string ModelStoreFull = "Model store full";

    /// <summary>503: the worker is not ready to serve.</summary>
    public const string NotReady = "Not ready";

    /// <summary>400: a version that is not a positive integer.</summary>
    public const string InvalidVersion = "Invalid version";

    /// <summary>400: the inputs or outputs do not match the model's.</summary>
    public const string InputDoesNotMatchModel = "Input does not match the model";

    /// <summary>400: ONNX Runtime refused to run the model on the input.</summary>
    public const string OnnxRuntimeRejectedInput = "ONNX Runtime rejected the input";

    /// <summary>503: the model cannot be loaded now.</summary>
    public const string ModelUnavailable = "Model unavailable";

    /// <summary>503: the model was unloaded while the request waited.</summary>
    public const string ModelUnloaded = "Model unloaded";

    // The inference worker: text generation.

    /// <summary>400: the body is empty.</summary>
    public const string EmptyBody = "Empty body";

    /// <summary>400: the body is not UTF-8.</summary>
    public const string InvalidUtf8 = "Invalid UTF-8";

    /// <summary>400: the body is not a JSON object.</summary>
    public const string InvalidJson = "Invalid JSON";

    /// <summary>400: <c>model</c> is missing.</summary>
    public const string MissingModel = "Missing model";

    /// <summary>400: the uploaded LLM cannot be loaded.</summary>
    public const string InvalidModel = "Invalid model";

    /// <summary>400: <c>prompt</c> is missing.</summary>
    public const string MissingPrompt = "Missing prompt";

    /// <summary>400: <c>prompt</c> is not a string or a list of strings.</summary>
    public const string InvalidPrompt = "Invalid prompt";

    /// <summary>400: <c>prompt</c> is empty.</summary>
    public const string EmptyPrompt = "Empty prompt";

    /// <summary>400: <c>messages</c> is missing.</summary>
    public const string MissingMessages = "Missing messages";

    /// <summary>400: <c>messages</c> is empty.</summary>
    public const string EmptyMessages = "Empty messages";

    /// <summary>400: a message of the wrong shape.</summary>
    public const string InvalidMessage = "Invalid message";

    /// <summary>400: a message content part other than text.</summary>
    public const string UnsupportedContent = "Unsupported content";

    /// <summary>400: <c>max_tokens</c> out of range.</summary>
    public const string InvalidMaxTokens = "Invalid max_tokens";

    /// <summary>400: <c>temperature</c> out of range.</summary>
    public const string InvalidTemperature = "Invalid temperature";

    /// <summary>400: <c>top_p</c> out of range.</summary>
    public const string InvalidTopP = "Invalid top_p";

    /// <summary>400: <c>top_k</c> out of range.</summary>
    public const string InvalidTopK = "Invalid top_k";

    /// <summary>400: <c>repetition_penalty</c> out of range.</summary>
    public const string InvalidRepetitionPenalty = "Invalid repetition_penalty";

    /// <summary>400: <c>n</c> out of range.</summary>
    public const string InvalidN = "Invalid n";

    /// <summary>400: <c>seed</c> is not an integer.</summary>
    public const string InvalidSeed = "Invalid seed";

    /// <summary>400: <c>stop</c> is not a string or a short list of strings.</summary>
    public const string InvalidStop = "Invalid stop";

    /// <summary>400: <c>stream</c> is not a boolean.</summary>
    public const string InvalidStream = "Invalid stream";

    /// <summary>400: a <c>strategy</c> that is not one of the served strategies.</summary>
    public const string UnknownStrategy = "Unknown strategy";

    /// <summary>400: <c>stream</c> with a strategy that cannot stream.</summary>
    public const string StrategyDoesNotStream = "Strategy does not stream";

    /// <summary>400: the prompt does not leave room for one token in the context.</summary>
    public const string PromptTooLong = "Prompt too long";

    /// <summary>400: the request asks for more tokens than the context holds.</summary>
    public const string RequestTooLarge = "Request too large";

    /// <summary>400: the model's chat template failed on the messages.</summary>
    public const string ChatTemplateFailed = "Chat template failed";

    /// <summary>400: the model named is not a language model.</summary>
    public const string NotALanguageModel = "Not a language model";

    /// <summary>404: no LLM of that name is served.</summary>
    public const string UnknownModel = "Unknown model";

    /// <summary>409: an LLM of that name is already served.</summary>
    public const string ModelExists = "Model exists";

    /// <summary>400: an LLM upload that cannot be served.</summary>
    public const string InvalidModelUpload = "Invalid model upload";

    /// <summary>429: too many generations are queued.</summary>
    public const string TooManyRequests = "Too many requests";

    /// <summary>503: a generation step failed.</summary>
    public const string GenerationFailed = "Generation failed";

    /// <summary>503: the upstream model server does not answer.</summary>
    public const string UpstreamUnavailable = "Upstream unavailable";

    // The sandbox runner.

    /// <summary>400: a code block request of the wrong shape.</summary>
    public const string InvalidBlockRequest = "Invalid block request";

    /// <summary>404: no block registered under that name or hash.</summary>
    public const string UnknownBlock = "Unknown block";

    /// <summary>503: every jail is busy.</summary>
    public const string NoJailFree = "No jail free";

    /// <summary>503: the block registry (PostgreSQL) does not answer.</summary>
    public const string BlockRegistryUnavailable = "Block registry unavailable";
}
