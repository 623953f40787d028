using System.Globalization;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Tests.Publishing;

/// <summary>Publishes a topology in memory, with the command line's parsing, and reads the result back.</summary>
internal static class InProcess
{
    /// <summary>Parses <paramref name="args"/> (an output folder is added) and builds the set for <paramref name="resources"/>.</summary>
    public static Manifests Publish(IReadOnlyList<LocalResource> resources, params string[] args)
    {
        var options = Options(args);
        Assert.Empty(KubernetesPublisher.Validate(resources, options));
        return Manifests.From(KubernetesPublisher.Build(resources, options));
    }

    /// <summary>Builds with secrets numbered in order, so two builds are equal.</summary>
    public static PublishedSet Deterministic(IReadOnlyList<LocalResource> resources, params string[] args)
    {
        var n = 0;
        return KubernetesPublisher.Build(resources, Options(args), () => $"secret-{(++n).ToString(CultureInfo.InvariantCulture)}");
    }

    public static PublishOptions Options(params string[] args)
    {
        var parsed = PublishArguments.Parse(["--output", Path.GetTempPath(), .. args]);
        Assert.Empty(parsed.Errors);
        return Assert.IsType<PublishOptions>(parsed.Options);
    }
}
