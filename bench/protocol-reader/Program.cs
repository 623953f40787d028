using BenchmarkDotNet.Running;
using BenchPlatform.Bench.ProtocolReader;

BenchmarkSwitcher.FromAssembly(typeof(InferBodies).Assembly).Run(args);
