namespace BenchPlatform.LoadTests.Cli;

/// <summary>Command-line mistakes, every one found; each message tells the user what to change (exit code 2).</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : this([message])
    {
    }

    public UsageException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    /// <summary>Each mistake, one message apiece, in the order of the command line.</summary>
    public IReadOnlyList<string> Errors { get; }
}
