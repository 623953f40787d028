using System.Collections.Concurrent;

namespace BenchPlatform.EndToEnd.Tests.Faults;

/// <summary>Every outcome of a traffic loop, counted: correct answers, explicit 503s, wrong answers, hangs and anything else.</summary>
public sealed class TrafficReport
{
    private long _sent;
    private long _ok;
    private long _unavailable;

    /// <summary>Requests sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>200s whose answer matched the known-good one.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>503s with a <c>Retry-After</c> and a problem+json body.</summary>
    public long Unavailable => Interlocked.Read(ref _unavailable);

    /// <summary>Wrong answers, hangs, connection failures and any other status, each with what happened.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    internal void CountSent() => Interlocked.Increment(ref _sent);

    internal void CountOk() => Interlocked.Increment(ref _ok);

    internal void CountUnavailable() => Interlocked.Increment(ref _unavailable);

    /// <summary>The counts in one line, for the test output and the report.</summary>
    public override string ToString() =>
        $"sent {Sent}, ok {Ok}, 503 {Unavailable}, failed {Failures.Count}" +
        (Failures.IsEmpty ? string.Empty : ": " + string.Join("; ", Failures.Take(10)));
}
