// The public contract (the Protocol project): datatypes, problem titles, the infer-body and completion-body readers and what they read.
global using BenchPlatform.Protocol.Inference;
global using BenchPlatform.Protocol.OpenAi;
global using BenchPlatform.Protocol.Problems;
global using BenchPlatform.Protocol.Tensors;
// ASP.NET Core's implicit usings bring Microsoft.AspNetCore.Builder.SessionOptions (HTTP sessions); here the name means ONNX Runtime's.
global using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
