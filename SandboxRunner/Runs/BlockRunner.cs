using System.Buffers;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BenchPlatform.SandboxRunner.Jail;
using BenchPlatform.SandboxRunner.Pool;
using BenchPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace BenchPlatform.SandboxRunner.Runs;

/// <summary>Runs a validated block in a jail from the pool and turns what the jail reports into a <see cref="RunResult"/>.</summary>
internal sealed partial class BlockRunner
{
    private static readonly byte[] DefaultEntrypoint = "\"run\""u8.ToArray();
    private static readonly Meter Meter = new(PlatformTelemetry.MeterName);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("sandbox.runs", description: "Block runs by status and start");
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("sandbox.run.duration", "ms", "Time a block ran in its jail");

    private readonly JailPool _pool;
    private readonly SandboxOptions _options;
    private readonly ILogger<BlockRunner> _logger;

    public BlockRunner(JailPool pool, IOptions<SandboxOptions> options, ILogger<BlockRunner> logger)
    {
        _pool = pool;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Runs <paramref name="spec"/>; a block's own failure is a result, never an exception.</summary>
    public async Task<RunResult> RunAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        var payload = BuildPayload(spec);
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new JailHeader(
                spec.TimeoutMs, _options.MaxOutputBytes, _options.OutputStreamCapBytes, _options.OutputStreamCapBytes,
                new JailRlimits((spec.TimeoutMs + 999) / 1000 + 1, _options.MaxOpenFiles, _options.MaxProcesses, (long)spec.MemoryMb << 20)),
            JailJsonContext.Default.JailHeader);

        var lease = await _pool.AcquireAsync(cancellationToken);
        RunResult result;
        try
        {
            // The cgroup is the backstop behind RLIMIT_AS: the run's memory, its tmpfs and the zygote's own.
            lease.Jail.Cgroup?.SetMemoryLimit(((long)spec.MemoryMb + _options.TmpfsMb + 128) << 20);
            var hardTimeout = TimeSpan.FromMilliseconds(spec.TimeoutMs + _options.HardKillGraceMs);
            try
            {
                using var outcome = await lease.Jail.RunAsync(header, payload.WrittenMemory, Math.Max(_options.MaxOutputBytes, _options.OutputStreamCapBytes), hardTimeout);
                outcome.OomKilled = lease.Jail.Cgroup?.OomKilledSinceLastCheck() ?? false;
                result = Map(outcome, spec, lease);
            }
            catch (TimeoutException ex)
            {
                LogHardKill(_logger, lease.Jail.Id, ex.Message);
                result = Failed(RunResult.Timeout, "Timeout", $"The block ran longer than its timeout of {spec.TimeoutMs} ms; its jail was killed.", lease, spec.TimeoutMs);
            }
            catch (JailLostException ex)
            {
                LogJailLost(_logger, lease.Jail.Id, ex);
                result = lease.Jail.Cgroup?.OomKilledSinceLastCheck() == true
                    ? Failed(RunResult.MemoryLimit, "MemoryLimit", $"The jail ran out of memory (limit {spec.MemoryMb} MiB plus its tmpfs) and was killed.", lease, 0)
                    : Failed(RunResult.Error, "JailLost", $"The jail running the block stopped answering ({ex.Message}); the run was not retried.", lease, 0);
            }
        }
        finally
        {
            _pool.Release(lease);
        }

        Runs.Add(1, new KeyValuePair<string, object?>("status", result.Status), new KeyValuePair<string, object?>("start", result.Warm ? "warm" : "cold"));
        RunDuration.Record(result.DurationMs);
        return result;
    }

    private static ArrayBufferWriter<byte> BuildPayload(RunSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(spec.CodeJson.Length + spec.InputsJson.Length + 64);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WritePropertyName("code"u8);
        writer.WriteRawValue(spec.CodeJson.Span, skipInputValidation: true);
        writer.WritePropertyName("entrypoint"u8);
        writer.WriteRawValue(spec.EntrypointJson.IsEmpty ? DefaultEntrypoint : spec.EntrypointJson.Span, skipInputValidation: true);
        writer.WritePropertyName("inputs"u8);
        writer.WriteRawValue(spec.InputsJson.Span, skipInputValidation: true);
        writer.WriteEndObject();
        writer.Flush();
        return buffer;
    }

    private RunResult Map(JailOutcome outcome, RunSpec spec, JailLease lease)
    {
        var meta = outcome.Meta;
        var stdout = Encoding.UTF8.GetString(outcome.Stdout); // invalid UTF-8 becomes U+FFFD
        var stderr = Encoding.UTF8.GetString(outcome.Stderr);
        RunResult Make(string status, byte[]? outputs, string? type, string? message) =>
            new(status, outputs, stdout, stderr, meta.DurationMs, lease.Warm, type, message, lease.Queue, lease.ColdStart);

        if (meta.TimedOut)
        {
            return Make(RunResult.Timeout, null, "Timeout", $"The block ran longer than its timeout of {spec.TimeoutMs} ms and was killed.");
        }

        if (meta.Limit is "stdout" or "stderr")
        {
            return Make(RunResult.OutputLimit, null, "OutputLimit", $"The block wrote more than {_options.OutputStreamCapBytes} bytes to {meta.Limit} and was stopped; the first {_options.OutputStreamCapBytes} bytes are kept.");
        }

        if (meta.Limit is "result")
        {
            return Make(RunResult.OutputLimit, null, "OutputTooLarge", $"The block's outputs exceed {_options.MaxOutputBytes} bytes of JSON.");
        }

        if (outcome.Result.Length > 0)
        {
            return ParseResult(outcome.Result, Make);
        }

        if (outcome.OomKilled)
        {
            return Make(RunResult.MemoryLimit, null, "MemoryLimit", $"The block was killed by the kernel at its memory limit ({spec.MemoryMb} MiB plus its tmpfs).");
        }

        if (meta.Signal != 0)
        {
            return Make(RunResult.Error, null, "Killed", $"The block's process ended by signal {meta.Signal} ({SignalName(meta.Signal)}) before it returned.");
        }

        return Make(RunResult.Error, null, "Exited", $"The block's process exited with code {meta.ExitCode} before it returned.");
    }

    private static RunResult ParseResult(ReadOnlySpan<byte> json, Func<string, byte[]?, string?, string?, RunResult> make)
    {
        // The result frame comes from inside the jail: the block could have written it, so trust nothing in it.
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.String)
            {
                return make(RunResult.Error, null, "ProtocolError", "The jail's result was not an object with a status.");
            }

            var status = statusElement.GetString() switch
            {
                RunResult.Ok => RunResult.Ok,
                RunResult.Error => RunResult.Error,
                RunResult.MemoryLimit => RunResult.MemoryLimit,
                RunResult.OutputLimit => RunResult.OutputLimit,
                _ => null,
            };
            if (status is null)
            {
                return make(RunResult.Error, null, "ProtocolError", "The jail's result had an unknown status.");
            }

            if (status == RunResult.Ok)
            {
                var outputs = root.TryGetProperty("outputs", out var o) ? JsonMarshal.GetRawUtf8Value(o).ToArray() : "null"u8.ToArray();
                return make(status, outputs, null, null);
            }

            string? type = null;
            string? message = null;
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            }

            return make(status, null, type ?? "Error", message ?? "");
        }
        catch (JsonException)
        {
            return make(RunResult.Error, null, "ProtocolError", "The jail's result was not valid JSON.");
        }
    }

    private static RunResult Failed(string status, string type, string message, JailLease lease, double durationMs) =>
        new(status, null, "", "", durationMs, lease.Warm, type, message, lease.Queue, lease.ColdStart);

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT",
        7 => "SIGBUS",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        _ => "signal",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jail {JailId} killed from outside: {Reason}")]
    private static partial void LogHardKill(ILogger logger, int jailId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jail {JailId} lost during a run")]
    private static partial void LogJailLost(ILogger logger, int jailId, Exception exception);
}
