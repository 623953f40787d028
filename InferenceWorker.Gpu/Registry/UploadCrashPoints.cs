namespace BenchPlatform.InferenceWorker.Registry;

/// <summary>
/// Crash injection for the data-safety tests: when <c>Inference:FaultInjection:CrashAt</c> names a step of an upload,
/// the process ends at once (<see cref="Environment.FailFast(string)"/>, no cleanup, as a power cut or a kill -9 would)
/// when it reaches that step. Unset, as in every real deployment, it does nothing.
/// </summary>
public sealed class UploadCrashPoints(IConfiguration configuration)
{
    /// <summary>The bytes are in an fsynced temp file; nothing is published.</summary>
    public const string AfterStage = "after-stage";

    /// <summary>The blob is renamed under its hash; no registry row yet.</summary>
    public const string AfterRename = "after-rename";

    /// <summary>The registry rows are written in a transaction that is not committed.</summary>
    public const string BeforeCommit = "before-commit";

    private readonly string? _crashAt = configuration["Inference:FaultInjection:CrashAt"];

    /// <summary>Ends the process when <paramref name="step"/> is the configured crash point.</summary>
    public void Reach(string step)
    {
        if (string.Equals(_crashAt, step, StringComparison.Ordinal))
        {
            Environment.FailFast($"fault injection: crash at upload step '{step}' (Inference:FaultInjection:CrashAt)");
        }
    }
}
