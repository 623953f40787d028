namespace BenchPlatform.LoadTests.Cli;

/// <summary>Process exit codes; documented in <c>--help</c> and the README so CI can tell them apart.</summary>
public static class ExitCodes
{
    /// <summary>The run completed and every threshold held.</summary>
    public const int Ok = 0;

    /// <summary>The run could not be done: the target was unreachable or refused a setup call.</summary>
    public const int RunFailed = 1;

    /// <summary>The command line was wrong; the message says what to change.</summary>
    public const int Usage = 2;

    /// <summary>The run completed but at least one <c>--threshold</c> failed.</summary>
    public const int ThresholdFailed = 3;

    /// <summary><c>compare</c> found a regression.</summary>
    public const int Regression = 4;
}
