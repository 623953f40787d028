using BenchPlatform.LoadTests.Cli;

namespace BenchPlatform.LoadTests.Tests.Support;

/// <summary>Runs the LoadTests command in-process, as <c>dotnet run --project LoadTests -- …</c> would, capturing its output.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LoadTestsApp.RunAsync(args, output, error, live: false, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "loadtests-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
