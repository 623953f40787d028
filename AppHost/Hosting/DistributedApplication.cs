using BenchPlatform.AppHost.Hosting.Orchestration;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;
using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Hosting;

/// <summary>The built AppHost: runs the topology until Ctrl+C or SIGTERM (Aspire's <c>DistributedApplication</c>).</summary>
public sealed class DistributedApplication
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<Resource> _resources;
    private readonly AppHostOptions _options;
    private readonly string[] _args;

    internal DistributedApplication(WebApplication app, IReadOnlyList<Resource> resources, AppHostOptions options, string[] args)
    {
        _app = app;
        _resources = resources;
        _options = options;
        _args = args;
    }

    /// <summary>The control host, where the dashboard maps its pages.</summary>
    public WebApplication Host => _app;

    /// <summary>Starts declaring a topology.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>
    /// Checks that every program the topology needs is installed, then runs the stack until stopped.
    /// A missing program, a busy fixed port or a resource that cannot start ends the process with a non-zero exit code.
    /// With <c>publish</c> as the first argument it writes Kubernetes manifests of the topology instead (see <see cref="PublishCommand"/>).
    /// </summary>
    public void Run()
    {
        if (PublishCommand.IsPublish(_args))
        {
            Environment.ExitCode = PublishCommand.Run(_args, _resources, Console.Out, Console.Error);
            return;
        }

        try
        {
            Preflight.Check(_resources, _options);
        }
        catch (Exception ex) when (ex is MissingDependencyException or PortUnavailableException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Environment.ExitCode = 2;
            return;
        }

        _app.Run();
    }
}
