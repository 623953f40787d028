namespace BenchPlatform.AppHost.Hosting;

/// <summary>
/// A project the AppHost references; the build generates one <c>Projects.&lt;Name&gt;</c> type per
/// ProjectReference that implements this, so a project resource knows what to run.
/// </summary>
public interface IProjectOutput
{
    /// <summary>The full path of the project file.</summary>
    string ProjectPath { get; }

    /// <summary>The full path of the dll the project's build produces (run as <c>dotnet &lt;dll&gt;</c>).</summary>
    string AssemblyPath { get; }
}
