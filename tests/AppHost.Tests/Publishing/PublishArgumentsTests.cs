using BenchPlatform.AppHost.Publishing;

namespace BenchPlatform.AppHost.Tests.Publishing;

public sealed class PublishArgumentsTests
{
    [Fact]
    public void Parse_OnlyOutput_GivesTheDocumentedDefaults()
    {
        var options = Assert.IsType<PublishOptions>(PublishArguments.Parse(["--output", "out"]).Options);

        Assert.Equal(Path.GetFullPath("out"), options.OutputFolder);
        Assert.Equal("benchplatform", options.Namespace);
        Assert.Equal("localhost:5000", options.Registry);
        Assert.Equal("latest", options.Tag);
        Assert.Equal(AutoscalerKind.Hpa, options.Autoscaler);
        Assert.True(options.Gpu);
        Assert.Equal(["nvidia.com/gpu:NoSchedule"], options.GpuTolerations);
        Assert.Equal("gvisor", options.SandboxRuntimeClass);
        Assert.Equal("LoadBalancer", options.GatewayServiceType);
        Assert.Equal(2, options.GatewayReplicas);
        Assert.Empty(options.External);
    }

    [Fact]
    public void Parse_EveryOption_IsTakenInBothSpellings()
    {
        var options = Assert.IsType<PublishOptions>(PublishArguments.Parse(
        [
            "-o", "out", "--namespace=prod", "--registry", "ghcr.io/acme/", "--tag=1.2.3", "--autoscaler", "keda", "--no-gpu",
            "--gpu-node-selector", "pool=gpu", "--gpu-toleration", "none", "--sandbox-runtime-class", "none",
            "--external", "cache=r:6379,password=x", "--storage-class", "ssd", "--shared-storage-class", "nfs",
            "--gateway-service-type", "nodeport", "--gateway-replicas", "3", "--otlp-endpoint", "none", "--prometheus-url", "http://p:9090",
        ]).Options);

        Assert.Equal(("prod", "ghcr.io/acme", "1.2.3", AutoscalerKind.Keda, false), (options.Namespace, options.Registry, options.Tag, options.Autoscaler, options.Gpu));
        Assert.Equal("gpu", options.GpuNodeSelector["pool"]);
        Assert.Empty(options.GpuTolerations);
        Assert.Null(options.SandboxRuntimeClass);
        Assert.Equal("r:6379,password=x", options.External["cache"]);
        Assert.Equal(("ssd", "nfs", "NodePort", 3), (options.StorageClass, options.SharedStorageClass, options.GatewayServiceType, options.GatewayReplicas));
        Assert.Null(options.OtlpEndpoint);
        Assert.Equal("http://p:9090", options.PrometheusUrl);
    }

    [Theory]
    [InlineData(new[] { "--namespace", "Bench_Prod" }, "--namespace 'Bench_Prod' must be a DNS label")]
    [InlineData(new[] { "--registry", "GHCR.io/Acme" }, "--registry 'GHCR.io/Acme' is not an image prefix")]
    [InlineData(new[] { "--tag", "-bad" }, "--tag '-bad' is not an image tag")]
    [InlineData(new[] { "--autoscaler", "vpa" }, "--autoscaler 'vpa' is not one of hpa, keda, none.")]
    [InlineData(new[] { "--gpu-node-selector", "novalue" }, "--gpu-node-selector 'novalue' must be KEY=VALUE")]
    [InlineData(new[] { "--gpu-toleration", "gpu:Sometimes" }, "--gpu-toleration 'gpu:Sometimes' must be KEY[=VALUE][:EFFECT]")]
    [InlineData(new[] { "--sandbox-runtime-class", "gVisor" }, "--sandbox-runtime-class 'gVisor' must be a RuntimeClass name")]
    [InlineData(new[] { "--external", "cache" }, "--external must be NAME=CONNECTION_STRING")]
    [InlineData(new[] { "--storage-class", "Fast SSD" }, "--storage-class 'Fast SSD' must be a StorageClass name")]
    [InlineData(new[] { "--gateway-service-type", "Ingress" }, "--gateway-service-type 'Ingress' is not one of LoadBalancer, NodePort, ClusterIP.")]
    [InlineData(new[] { "--gateway-replicas", "0" }, "--gateway-replicas '0' must be a whole number from 1 to 100.")]
    [InlineData(new[] { "--gateway-replicas", "two" }, "--gateway-replicas 'two' must be a whole number from 1 to 100.")]
    [InlineData(new[] { "--otlp-endpoint", "collector:4317" }, "--otlp-endpoint 'collector:4317' must be an http:// or https:// URL")]
    [InlineData(new[] { "--prometheus-url", "prometheus" }, "--prometheus-url 'prometheus' must be an http:// or https:// URL.")]
    [InlineData(new[] { "--tag" }, "--tag needs a value (see --help).")]
    [InlineData(new[] { "--tag", "1", "--tag" }, "--tag needs a value (see --help).")]
    [InlineData(new[] { "--replicas", "3" }, "Unknown option '--replicas' (see --help for the options of publish).")]
    [InlineData(new[] { "stray" }, "Unexpected argument 'stray'; options start with '--' (see --help).")]
    public void Parse_BadValue_SaysWhatToChange(string[] args, string message)
    {
        var result = PublishArguments.Parse(["--output", "out", .. args]);

        Assert.Null(result.Options);
        Assert.StartsWith(message, Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOneIncludingTheMissingOutput()
    {
        var result = PublishArguments.Parse(["--tag", "a b", "--autoscaler", "x", "--gateway-replicas", "101"]);

        Assert.Equal(4, result.Errors.Count);
        Assert.Equal("--output DIR is required: the folder to write the manifests to.", result.Errors[^1]);
    }

    [Fact]
    public void Parse_EveryKindOfMistake_ReportsEachOnceTogether()
    {
        var result = PublishArguments.Parse(["--registry", "UP", "--replicas", "3", "stray", "--tag", "a b", "-x", "--namespace"]);

        Assert.Null(result.Options);
        Assert.Equal(
            [
                "--namespace needs a value (see --help).",
                "--registry 'UP' is not an image prefix like 'ghcr.io/acme' or 'localhost:5000' (lower-case, no spaces, no tag).",
                "--tag 'a b' is not an image tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'.",
                "Unknown option '--replicas' (see --help for the options of publish).",
                "Unexpected argument 'stray'; options start with '--' (see --help).",
                "Unknown option '-x' (see --help for the options of publish).",
                "--output DIR is required: the folder to write the manifests to.",
            ],
            result.Errors);
    }

    [Fact]
    public void Parse_RepeatedOptions_LastValueCountsAndRepeatablesAccumulate()
    {
        var options = Assert.IsType<PublishOptions>(PublishArguments.Parse(
            ["-o", "a", "--output=b", "--tag", "1", "--tag", "2", "--gpu-toleration", "x:NoSchedule", "--gpu-toleration", "y", "--external", "cache=r:1", "--external", "cache=r:2"]).Options);

        Assert.Equal((Path.GetFullPath("b"), "2"), (options.OutputFolder, options.Tag));
        Assert.Equal(["x:NoSchedule", "y"], options.GpuTolerations);
        Assert.Equal("r:2", options.External["cache"]);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Parse_Help_AsksForTheUsageEvenWithoutOutput(string flag)
    {
        var result = PublishArguments.Parse([flag]);

        Assert.True(result.HelpRequested);
        Assert.Empty(result.Errors);
    }
}
