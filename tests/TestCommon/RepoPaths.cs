namespace BenchPlatform.TestCommon;

/// <summary>Locates the repository root and the <c>shared/</c> folder beside it.</summary>
public static class RepoPaths
{
    /// <summary>The folder that holds <c>BenchPlatform.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The <c>shared/models</c> folder beside the checkout (third-party models for tests).</summary>
    public static string SharedModels => Path.GetFullPath(Path.Combine(Root, "..", "shared", "models"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BenchPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"BenchPlatform.sln not found above {AppContext.BaseDirectory}.");
    }
}
