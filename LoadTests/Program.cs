using BenchPlatform.LoadTests.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var live = !Console.IsOutputRedirected && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
return await LoadTestsApp.RunAsync(args, Console.Out, Console.Error, live, cancel.Token);
