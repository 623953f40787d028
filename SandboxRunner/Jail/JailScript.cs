namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>The jail bootstrap and zygote (<c>Jail/jail.py</c>), embedded so the interpreter gets it with <c>-c</c> and needs no file of ours.</summary>
internal static class JailScript
{
    public static string Source { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(JailScript).Assembly.GetManifestResourceStream("BenchPlatform.SandboxRunner.Jail.jail.py")
            ?? throw new InvalidOperationException("The embedded jail script is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
