using BenchmarkDotNet.Running;
using BenchPlatform.Bench.GatewayValidation;

BenchmarkRunner.Run<InferValidationBenchmarks>(args: args);
