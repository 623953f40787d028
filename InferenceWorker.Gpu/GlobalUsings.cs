// ASP.NET Core's implicit usings bring Microsoft.AspNetCore.Builder.SessionOptions (HTTP sessions); here the name means ONNX Runtime's.
global using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
