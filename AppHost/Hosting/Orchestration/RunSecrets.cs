using System.Security.Cryptography;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The secrets of a run, never printed: the PostgreSQL password is kept per state folder (initdb sets it once),
/// the Redis password and the internal token are new on every run. Files are readable by their owner only.
/// </summary>
internal sealed class RunSecrets
{
    private RunSecrets(string postgresPassword)
    {
        PostgresPassword = postgresPassword;
    }

    public string PostgresPassword { get; }

    public string RedisPassword { get; } = NewSecret();

    public string InternalToken { get; } = NewSecret();

    public static RunSecrets Load(string stateFolder)
    {
        var folder = Path.Combine(stateFolder, "secrets");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var file = Path.Combine(folder, "postgres-password");
        if (!File.Exists(file))
        {
            WritePrivate(file, NewSecret());
        }

        return new RunSecrets(File.ReadAllText(file).Trim());
    }

    /// <summary>Writes <paramref name="contents"/> to a file only its owner can read.</summary>
    public static void WritePrivate(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var writer = new StreamWriter(path, options);
        writer.Write(contents);
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
