using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// <c>dotnet run --project AppHost -- publish --output DIR [options]</c>: writes Kubernetes manifests for the topology
/// declared in Program.cs instead of running it. Exit code 0 when written, 1 on bad arguments, 2 when writing failed.
/// </summary>
public static class PublishCommand
{
    /// <summary>The verb that selects publishing.</summary>
    public const string Verb = "publish";

    /// <summary>Whether <paramref name="args"/> ask to publish rather than run.</summary>
    public static bool IsPublish(IReadOnlyList<string> args) => args.Count > 0 && args[0] == Verb;

    /// <summary>Parses <paramref name="args"/> (starting with <c>publish</c>), writes the manifests and returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, IReadOnlyList<LocalResource> resources, TextWriter output, TextWriter error)
    {
        var parsed = PublishArguments.Parse([.. args.Skip(1)]);
        if (parsed.HelpRequested)
        {
            output.WriteLine(PublishArguments.Usage);
            return 0;
        }

        var errors = parsed.Options is null ? parsed.Errors : KubernetesPublisher.Validate(resources, parsed.Options);
        if (errors.Count > 0)
        {
            foreach (var message in errors)
            {
                error.WriteLine($"error: {message}");
            }

            error.WriteLine("Run 'dotnet run --project AppHost -- publish --help' for the options.");
            return 1;
        }

        var options = parsed.Options!;
        try
        {
            var written = KubernetesPublisher.Write(KubernetesPublisher.Build(resources, options), options.OutputFolder);
            output.WriteLine($"Wrote {written.Count} files to {options.OutputFolder} (namespace '{options.Namespace}', images {options.Registry}/benchplatform-*:{options.Tag}).");
            output.WriteLine("01-secrets.yaml holds generated credentials: keep it out of version control.");
            output.WriteLine($"Apply with: kubectl apply -f {options.OutputFolder}");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write to '{options.OutputFolder}': {ex.Message}");
            return 2;
        }
    }
}
