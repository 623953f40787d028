using BenchPlatform.LoadTests;
using BenchPlatform.LoadTests.Cli;

// Before any socket exists: responses are handled on the socket event threads, not handed to the thread pool (less CPU
// per request; the built-in scenarios never block on those threads).
LoadTestRunner.UseInlineSocketCompletions();

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var live = !Console.IsOutputRedirected && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
return await LoadTestsApp.RunAsync(args, Console.Out, Console.Error, live, cancel.Token);
