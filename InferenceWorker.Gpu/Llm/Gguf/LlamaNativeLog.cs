using LLama.Native;

namespace BenchPlatform.InferenceWorker.Llm.Gguf;

/// <summary>
/// Routes llama.cpp's log (several hundred lines per model load) into the service's logger at Debug, warnings and
/// errors at their own level, instead of stderr. The native callback is process-wide: set once.
/// </summary>
internal static partial class LlamaNativeLog
{
    private static ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private static int _routed;

    /// <summary>The logger llama.cpp's lines go to (the last one set wins: one per process).</summary>
    public static void UseLogger(ILogger logger) => _logger = logger;

    public static void EnsureRouted()
    {
        if (Interlocked.Exchange(ref _routed, 1) == 0)
        {
            NativeLogConfig.llama_log_set(Write);
        }
    }

    private static void Write(LLamaLogLevel level, string message)
    {
        var text = message.TrimEnd('\n');
        if (text.Length == 0)
        {
            return;
        }

        switch (level)
        {
            case LLamaLogLevel.Error:
                LogError(_logger, text);
                break;
            case LLamaLogLevel.Warning:
                LogWarning(_logger, text);
                break;
            default:
                LogDebug(_logger, text);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "llama.cpp: {Line}")]
    private static partial void LogDebug(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llama.cpp: {Line}")]
    private static partial void LogWarning(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "llama.cpp: {Line}")]
    private static partial void LogError(ILogger logger, string line);
}
