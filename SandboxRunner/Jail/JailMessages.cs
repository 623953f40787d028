using System.Text.Json.Serialization;

namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>The zygote's first frame: it is ready, and which features it set up.</summary>
internal sealed record JailHello(bool Ready, string[] Features, string[] Modules, string Python);

/// <summary>What the zygote saw of one run (the result itself comes as a separate frame, from the run child).</summary>
internal sealed record JailMeta(bool TimedOut, string? Limit, int Signal, int? ExitCode, double DurationMs, JailSizes Sizes);

/// <summary>Byte counts of the three frames after the meta frame.</summary>
internal sealed record JailSizes(int Result, int Stdout, int Stderr);

/// <summary>Start configuration handed to the bootstrap as its only argument.</summary>
internal sealed record JailConfig(
    int Prepared,
    int HostUid,
    int HostGid,
    long TmpfsBytes,
    int MaxFiles,
    IReadOnlyList<string> CgroupProcs,
    IReadOnlyList<string> RoPaths,
    IReadOnlyList<string> PythonPaths,
    IReadOnlyList<string> PreloadModules);

/// <summary>Per-run limits, the header frame of a request.</summary>
internal sealed record JailHeader(int TimeoutMs, int OutputCap, int StdoutCap, int StderrCap, JailRlimits Rlimits);

/// <summary>The rlimits the run child sets on itself before it runs the block.</summary>
internal sealed record JailRlimits(int CpuS, int Nofile, int Nproc, long MemoryBytes);

/// <summary>Source-generated JSON for the jail protocol (snake_case, as the bootstrap writes it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JailHello))]
[JsonSerializable(typeof(JailMeta))]
[JsonSerializable(typeof(JailConfig))]
[JsonSerializable(typeof(JailHeader))]
internal sealed partial class JailJsonContext : JsonSerializerContext;
