namespace BenchPlatform.AppHost.Hosting.Servers;

/// <summary>Finds server executables on PATH or in well-known install folders.</summary>
public static class ExecutableLocator
{
    /// <summary>The full path of <paramref name="name"/> on PATH or in one of <paramref name="extraFolders"/>, or null.</summary>
    public static string? Find(string name, IEnumerable<string>? extraFolders = null)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(extraFolders ?? []))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The PostgreSQL server folders Debian and Ubuntu install into, newest first.</summary>
    public static IEnumerable<string> PostgresFolders()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.GetDirectories(root)
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            .Select(d => Path.Combine(d, "bin"));
    }
}
