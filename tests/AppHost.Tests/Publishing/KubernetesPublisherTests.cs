using System.Text;
using System.Text.RegularExpressions;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Publishing;
using BenchPlatform.AppHost.Publishing.Keda;
using BenchPlatform.TestCommon;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Tests.Publishing;

public sealed class KubernetesPublisherTests
{
    private static readonly IReadOnlyList<LocalResource> Stack = PublishTopology.Stack();

    public static TheoryData<string[]> Variants => new()
    {
        Array.Empty<string>(),
        new[] { "--autoscaler", "keda" },
        new[] { "--autoscaler", "none" },
        new[] { "--no-gpu", "--sandbox-runtime-class", "none", "--gateway-service-type", "ClusterIP" },
        new[] { "--gpu-node-selector", "nvidia.com/gpu.present=true", "--gpu-toleration", "gpu=a100:NoExecute", "--storage-class", "fast-ssd" },
        new[] { "--external", "cache=redis.example.com:6380,password=p4ssw0rd-external,ssl=true", "--external", "registry=Host=db.example.com;Port=5433;Database=registry;Username=app;Password=ext3rnal-pw" },
        new[] { "--namespace", "bench-prod", "--registry", "ghcr.io/acme/platform", "--tag", "1.4.2", "--otlp-endpoint", "none" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Build_AnyOptions_RoundTripsThroughTheKubernetesClientDeserializerUnchanged(string[] args)
    {
        var set = KubernetesPublisher.Build(Stack, InProcess.Options(args));

        foreach (var file in set.Manifests)
        {
            var yaml = KubernetesPublisher.Serialize(file);
            var read = KubernetesYaml.LoadAllFromString(yaml, Manifests.CustomKinds, strict: true);

            Assert.Equal(file.Objects.Select(o => o.GetType()), read.Select(o => o.GetType()));
            Assert.Equal(file.Objects.Select(o => KubernetesYaml.Serialize(o)), read.Select(o => KubernetesYaml.Serialize(o)));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Build_AnyOptions_PassesTheOfflineValidation(string[] args)
    {
        var problems = ManifestRules.Check(InProcess.Publish(Stack, args));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void StrictDeserializer_UnknownField_IsRejected()
    {
        // The round trip above proves something only if the reader refuses what the API server would.
        const string yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicaz: 2\n";

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(yaml, null, strict: true));
    }

    [Fact]
    public void Build_DefaultTopology_WritesEveryResourceAsTheExpectedKinds()
    {
        var set = InProcess.Publish(Stack);

        Assert.Equal(
            [
                "00-namespace.yaml", "01-secrets.yaml", "02-shared-storage.yaml", "10-cache.yaml", "10-pg.yaml",
                "20-inference.yaml", "20-sandbox.yaml", "20-gateway.yaml", "30-network-policy.yaml",
            ],
            set.Files.Keys);
        Assert.Equal("benchplatform", Assert.Single(set.All<V1Namespace>()).Metadata.Name);
        Assert.Equal(["gateway", "inference", "sandbox"], set.All<V1Deployment>().Select(d => d.Metadata.Name).Order());
        Assert.Equal(["cache", "pg"], set.All<V1StatefulSet>().Select(d => d.Metadata.Name).Order());
        Assert.Equal(["cache", "gateway", "inference", "pg", "sandbox"], set.All<V1Service>().Select(d => d.Metadata.Name).Order());
        Assert.Equal("inference", Assert.Single(set.All<V2HorizontalPodAutoscaler>()).Metadata.Name);
        Assert.Equal("gateway", Assert.Single(set.All<V1PodDisruptionBudget>()).Metadata.Name);
        Assert.Empty(set.All<ScaledObject>());
        Assert.Equal(
            ["cache-auth", "cache-connection", KubernetesNames.ApiKeysSecret, KubernetesNames.InternalTokenSecret, "pg-auth", "registry-connection"],
            set.All<V1Secret>().Select(s => s.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["cache-ingress", NetworkPolicyManifests.DefaultDenyName, "gateway-ingress", "inference-ingress", "pg-ingress", "sandbox-egress", "sandbox-ingress"],
            set.All<V1NetworkPolicy>().Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
        foreach (var item in set.Objects)
        {
            Assert.Equal(KubernetesNames.PartOf, item.Metadata.Labels[KubernetesNames.PartOfLabel]);
        }
    }

    [Fact]
    public void Build_Selectors_MatchTheirOwnPodsOnly()
    {
        var set = InProcess.Publish(Stack);

        foreach (var deployment in set.All<V1Deployment>())
        {
            var name = deployment.Metadata.Name;
            Assert.Equal(KubernetesNames.Selector(name), deployment.Spec.Selector.MatchLabels);
            var owners = set.PodTemplates.Where(t => ManifestRules.Matches(deployment.Spec.Selector, t.Template.Metadata.Labels)).Select(t => t.Owner);
            Assert.Equal([name], owners);
            Assert.Equal(KubernetesNames.Selector(name), set.One<V1Service>(name).Spec.Selector);
        }
    }

    [Fact]
    public void Build_Secrets_AreGeneratedFreshEachTimeAndReadOnlyThroughSecretKeyRefs()
    {
        var first = InProcess.Publish(Stack);
        var second = InProcess.Publish(Stack);

        var token = Encoding.UTF8.GetString(first.One<V1Secret>(KubernetesNames.InternalTokenSecret).Data["token"]);
        Assert.Matches("^[0-9a-f]{48}$", token);
        Assert.NotEqual(token, Encoding.UTF8.GetString(second.One<V1Secret>(KubernetesNames.InternalTokenSecret).Data["token"]));

        var pgPassword = Encoding.UTF8.GetString(first.One<V1Secret>("pg-auth").Data["password"]);
        var registry = Encoding.UTF8.GetString(first.One<V1Secret>("registry-connection").Data["connection-string"]);
        Assert.Contains($"Password={pgPassword}", registry, StringComparison.Ordinal);
        Assert.Contains("Host=pg;Port=5432", registry, StringComparison.Ordinal);
        var redisPassword = Encoding.UTF8.GetString(first.One<V1Secret>("cache-auth").Data["password"]);
        Assert.Equal($"cache:6379,password={redisPassword},abortConnect=false", Encoding.UTF8.GetString(first.One<V1Secret>("cache-connection").Data["connection-string"]));

        var inference = first.Container("inference").Env.ToDictionary(e => e.Name);
        Assert.Equal(("registry-connection", "connection-string"), (inference["ConnectionStrings__registry"].ValueFrom.SecretKeyRef.Name, inference["ConnectionStrings__registry"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(KubernetesNames.InternalTokenSecret, inference["Internal__Token"].ValueFrom.SecretKeyRef.Name);
        foreach (var text in first.Files.Where(f => f.Key != "01-secrets.yaml").Select(f => f.Value))
        {
            Assert.DoesNotContain(pgPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(redisPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Build_Gateway_GetsApiKeysFromASecretAPodDisruptionBudgetAndAPublicService()
    {
        var set = InProcess.Publish(Stack);

        var env = set.Container("gateway").Env.ToDictionary(e => e.Name);
        Assert.Equal("admin", env["Gateway__ApiKeys__0__Role"].Value);
        Assert.Equal((KubernetesNames.ApiKeysSecret, "admin"), (env["Gateway__ApiKeys__0__Key"].ValueFrom.SecretKeyRef.Name, env["Gateway__ApiKeys__0__Key"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal((KubernetesNames.ApiKeysSecret, "user"), (env["Gateway__ApiKeys__1__Key"].ValueFrom.SecretKeyRef.Name, env["Gateway__ApiKeys__1__Key"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal("http://inference:8080", env["services__inference__http__0"].Value);
        Assert.Equal("http://sandbox:8080", env["services__sandbox__http__0"].Value);
        Assert.False(env.ContainsKey("services__apphost__http__0"));
        Assert.Equal(2, set.One<V1Deployment>("gateway").Spec.Replicas);
        var pdb = set.One<V1PodDisruptionBudget>("gateway");
        Assert.Equal("1", pdb.Spec.MaxUnavailable.Value);
        Assert.Equal(KubernetesNames.Selector("gateway"), pdb.Spec.Selector.MatchLabels);
        var service = set.One<V1Service>("gateway");
        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal(8080, Assert.Single(service.Spec.Ports).Port);
    }

    [Fact]
    public void Build_EveryProjectContainer_HasProbesOnHealthAndAliveAndRequestsAndLimits()
    {
        var set = InProcess.Publish(Stack);

        foreach (var name in new[] { "gateway", "inference", "sandbox" })
        {
            var container = set.Container(name);
            Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
            Assert.Equal(KubernetesNames.HttpPortName, container.ReadinessProbe.HttpGet.Port.Value);
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), name);
            Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"), name);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, name);
        }

        foreach (var statefulSet in set.All<V1StatefulSet>())
        {
            var container = Assert.Single(statefulSet.Spec.Template.Spec.Containers);
            Assert.NotNull(container.StartupProbe);
            Assert.NotNull(container.ReadinessProbe);
            Assert.NotNull(container.LivenessProbe);
            Assert.Equal("data", Assert.Single(statefulSet.Spec.VolumeClaimTemplates).Metadata.Name);
        }
    }

    [Fact]
    public void Build_Worker_DrainsBeforeItStopsAndIsGivenTimeToFinish()
    {
        var set = InProcess.Publish(Stack);

        var pod = set.One<V1Deployment>("inference").Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal(ProjectManifests.DrainSeconds, container.Lifecycle.PreStop.Sleep.Seconds);
        Assert.True(pod.TerminationGracePeriodSeconds > ProjectManifests.DrainSeconds + ProjectManifests.WorkerShutdownSeconds);
        Assert.Equal("100", container.Env.Single(e => e.Name == "DOTNET_SHUTDOWNTIMEOUTSECONDS").Value);
        Assert.Null(set.Container("gateway").Lifecycle);
    }

    [Fact]
    public void Hpa_DefaultTopology_FollowsTheAppHostPolicyOnTheGatewaysInflightMetric()
    {
        var set = InProcess.Publish(Stack);

        var hpa = set.One<V2HorizontalPodAutoscaler>("inference");
        Assert.Equal(("apps/v1", "Deployment", "inference"), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.Equal(PublishTopology.Policy.Min, hpa.Spec.MinReplicas);
        Assert.Equal(PublishTopology.Policy.Max, hpa.Spec.MaxReplicas);
        var metric = Assert.Single(hpa.Spec.Metrics);
        Assert.Equal("External", metric.Type);
        Assert.Equal(KubernetesNames.InflightMetric, metric.External.Metric.Name);
        Assert.Equal("inference", metric.External.Metric.Selector.MatchLabels["cluster"]);
        Assert.Equal("AverageValue", metric.External.Target.Type);
        Assert.Equal(PublishTopology.Policy.TargetInflightPerReplica, metric.External.Target.AverageValue.ToInt32());
        Assert.Equal(45, hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds);
        Assert.Equal(1, Assert.Single(hpa.Spec.Behavior.ScaleDown.Policies).Value);
        Assert.Equal(0, hpa.Spec.Behavior.ScaleUp.StabilizationWindowSeconds);
        // The HPA owns the count: the Deployment names none, so re-applying does not reset it.
        Assert.Null(set.One<V1Deployment>("inference").Spec.Replicas);
    }

    [Fact]
    public void Hpa_Metric_IsTheGaugeTheGatewayExports()
    {
        // The gateway registers its gauges with OpenTelemetry names; Prometheus turns '.' into '_'.
        var sources = Directory.GetFiles(Path.Combine(RepoPaths.Root, "Gateway"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        var exported = sources.SelectMany(s => Regex.Matches(s, "CreateObservableGauge\\(\"([a-z._]+)\"").Select(m => m.Groups[1].Value.Replace('.', '_'))).ToList();

        Assert.Contains(KubernetesNames.InflightMetric, exported);
        Assert.Contains(KubernetesNames.WaitingMetric, exported);
        Assert.Contains(sources, s => s.Contains("\"cluster\", cluster.Name", StringComparison.Ordinal));
    }

    [Fact]
    public void Hpa_AdapterRule_ServesTheMetricTheHpaReads()
    {
        var set = KubernetesPublisher.Build(Stack, InProcess.Options());

        var values = set.Notes[KubernetesPublisher.AdapterValuesPath];
        Assert.Contains($"as: \"{KubernetesNames.InflightMetric}\"", values, StringComparison.Ordinal);
        Assert.Contains($"sum({KubernetesNames.WaitingMetric}{{<<.LabelMatchers>>}})", values, StringComparison.Ordinal);
        Assert.Contains("k8s_namespace_name: {resource: namespace}", values, StringComparison.Ordinal);
    }

    [Fact]
    public void Hpa_PolicyMinimumZero_IsRaisedToOneWhileKedaKeepsZero()
    {
        var stack = PublishTopology.Stack(new AutoscalePolicy(0, 3, 2, TimeSpan.FromSeconds(90)));

        Assert.Equal(1, InProcess.Publish(stack).One<V2HorizontalPodAutoscaler>("inference").Spec.MinReplicas);
        var keda = InProcess.Publish(stack, "--autoscaler", "keda");
        var scaled = keda.One<ScaledObject>("inference");
        Assert.Equal(0, scaled.Spec.MinReplicaCount);
        Assert.Equal(3, scaled.Spec.MaxReplicaCount);
        Assert.Equal(90, scaled.Spec.CooldownPeriod);
    }

    [Fact]
    public void Keda_ScaledObject_ReplacesTheHpaAndQueriesInflightPlusWaiting()
    {
        var set = InProcess.Publish(Stack, "--autoscaler", "keda", "--prometheus-url", "http://prom.monitoring:9090");

        Assert.Empty(set.All<V2HorizontalPodAutoscaler>());
        var scaled = set.One<ScaledObject>("inference");
        Assert.Equal("inference", scaled.Spec.ScaleTargetRef.Name);
        var trigger = Assert.Single(scaled.Spec.Triggers);
        Assert.Equal("prometheus", trigger.Type);
        Assert.Equal("http://prom.monitoring:9090", trigger.Metadata["serverAddress"]);
        Assert.Equal("4", trigger.Metadata["threshold"]);
        Assert.Equal("0", trigger.Metadata["activationThreshold"]);
        Assert.Equal(
            "sum(gateway_cluster_inflight{cluster=\"inference\",k8s_namespace_name=\"benchplatform\"}) + sum(gateway_cluster_waiting{cluster=\"inference\",k8s_namespace_name=\"benchplatform\"})",
            trigger.Metadata["query"]);
        Assert.Equal(45, scaled.Spec.Advanced!.HorizontalPodAutoscalerConfig.Behavior!.ScaleDown.StabilizationWindowSeconds);
        Assert.Null(set.One<V1Deployment>("inference").Spec.Replicas);
    }

    [Fact]
    public void Autoscaler_None_KeepsThePolicyMinimumAndWritesNoAutoscaler()
    {
        var set = InProcess.Publish(Stack, "--autoscaler", "none");

        Assert.Empty(set.All<V2HorizontalPodAutoscaler>());
        Assert.Empty(set.All<ScaledObject>());
        Assert.Equal(PublishTopology.Policy.Min, set.One<V1Deployment>("inference").Spec.Replicas);
    }

    [Fact]
    public void Build_ProjectWithoutPolicy_KeepsTheTopologysReplicasAndGetsNoAutoscaler()
    {
        var set = InProcess.Publish(PublishTopology.Stack(autoscale: false));

        Assert.Empty(set.All<V2HorizontalPodAutoscaler>());
        Assert.Equal(2, set.One<V1Deployment>("inference").Spec.Replicas);
        Assert.Equal(1, set.One<V1Deployment>("sandbox").Spec.Replicas);
    }

    [Fact]
    public void Gpu_Default_AsksOneGpuToleratesTheGpuTaintAndRunsTheCudaImage()
    {
        var set = InProcess.Publish(Stack);

        var pod = set.One<V1Deployment>("inference").Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal("1", container.Resources.Limits[KubernetesNames.GpuResource].ToString());
        Assert.Equal("localhost:5000/benchplatform-inference:latest-cuda", container.Image);
        var toleration = Assert.Single(pod.Tolerations);
        Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (toleration.Key, toleration.OperatorProperty, toleration.Effect));
        Assert.Null(pod.NodeSelector);
        foreach (var other in new[] { "gateway", "sandbox" })
        {
            Assert.False(set.Container(other).Resources.Limits.ContainsKey(KubernetesNames.GpuResource), other);
        }
    }

    [Fact]
    public void Gpu_NodeSelectorAndToleration_AreTakenFromTheArguments()
    {
        var set = InProcess.Publish(Stack, "--gpu-node-selector", "nvidia.com/gpu.product=NVIDIA-H100", "--gpu-toleration", "dedicated=gpu:NoExecute", "--gpu-toleration", "spot");

        var pod = set.One<V1Deployment>("inference").Spec.Template.Spec;
        Assert.Equal("NVIDIA-H100", pod.NodeSelector["nvidia.com/gpu.product"]);
        Assert.Equal(
            [("dedicated", "Equal", "gpu", "NoExecute"), ("spot", "Exists", null, null)],
            pod.Tolerations.Select(t => (t.Key, t.OperatorProperty, (string?)t.Value, (string?)t.Effect)));
    }

    [Fact]
    public void Gpu_NoGpu_AsksNoGpuAndRunsTheCpuImage()
    {
        var set = InProcess.Publish(Stack, "--no-gpu", "--registry", "ghcr.io/acme", "--tag", "v2");

        var pod = set.One<V1Deployment>("inference").Spec.Template.Spec;
        Assert.False(Assert.Single(pod.Containers).Resources.Limits.ContainsKey(KubernetesNames.GpuResource));
        Assert.Equal("ghcr.io/acme/benchplatform-inference:v2", pod.Containers[0].Image);
        Assert.Null(pod.Tolerations);
        Assert.Equal("ghcr.io/acme/benchplatform-gateway:v2", set.Container("gateway").Image);
    }

    [Fact]
    public void NetworkPolicies_LetOnlyTheGatewayReachWorkersAndOnlyServicesReachTheServers()
    {
        var set = InProcess.Publish(Stack);

        var deny = set.One<V1NetworkPolicy>(NetworkPolicyManifests.DefaultDenyName);
        Assert.Empty(deny.Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Equal(["Ingress"], deny.Spec.PolicyTypes);
        Assert.Null(deny.Spec.Ingress);

        Assert.Equal(["gateway"], AllowedFrom(set, "inference-ingress"));
        Assert.Equal(["gateway"], AllowedFrom(set, "sandbox-ingress"));
        Assert.Equal(["gateway", "inference", "sandbox"], AllowedFrom(set, "cache-ingress"));
        Assert.Equal(["gateway", "inference", "sandbox"], AllowedFrom(set, "pg-ingress"));
        var gateway = Assert.Single(set.One<V1NetworkPolicy>("gateway-ingress").Spec.Ingress);
        Assert.Null(gateway.FromProperty);
    }

    [Fact]
    public void NetworkPolicies_SandboxReachesOnlyDnsAndItsServers()
    {
        var set = InProcess.Publish(Stack);

        var egress = set.One<V1NetworkPolicy>("sandbox-egress");
        Assert.Equal(["Egress"], egress.Spec.PolicyTypes);
        Assert.Equal(KubernetesNames.Selector("sandbox"), egress.Spec.PodSelector.MatchLabels);
        var rules = egress.Spec.Egress;
        Assert.Equal(3, rules.Count);
        Assert.Equal("kube-dns", Assert.Single(rules[0].To).PodSelector.MatchLabels["k8s-app"]);
        Assert.All(rules[0].Ports, p => Assert.Equal("53", p.Port.Value));
        Assert.Equal(["cache"], Assert.Single(rules[1].To).PodSelector.MatchExpressions[0].Values);
        Assert.Equal("6379", Assert.Single(rules[1].Ports).Port.Value);
        Assert.Equal(["pg"], Assert.Single(rules[2].To).PodSelector.MatchExpressions[0].Values);
        Assert.Equal("5432", Assert.Single(rules[2].Ports).Port.Value);
        Assert.DoesNotContain(rules, r => r.To is null || r.To.Any(p => p.IpBlock is not null));
    }

    [Fact]
    public void Sandbox_RunsUnderTheRuntimeClassWithAFewCapabilitiesAndNoServiceAccount()
    {
        var set = InProcess.Publish(Stack);

        var pod = set.One<V1Deployment>("sandbox").Spec.Template.Spec;
        Assert.Equal("gvisor", pod.RuntimeClassName);
        Assert.False(pod.AutomountServiceAccountToken);
        var security = Assert.Single(pod.Containers).SecurityContext;
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Equal(["SYS_ADMIN", "SETUID", "SETGID", "SETPCAP", "KILL"], security.Capabilities.Add);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
        Assert.Null(InProcess.Publish(Stack, "--sandbox-runtime-class", "none").One<V1Deployment>("sandbox").Spec.Template.Spec.RuntimeClassName);
        Assert.Equal("kata", InProcess.Publish(Stack, "--sandbox-runtime-class", "kata").One<V1Deployment>("sandbox").Spec.Template.Spec.RuntimeClassName);
    }

    [Fact]
    public void External_Servers_AreNotDeployedAndTheirConnectionStringsGoToSecrets()
    {
        const string redis = "redis.example.com:6380,password=p4ssw0rd-external,ssl=true";
        const string postgres = "Host=db.example.com;Port=5433;Database=registry;Username=app;Password=ext3rnal-pw";
        var set = InProcess.Publish(Stack, "--external", $"cache={redis}", "--external", $"registry={postgres}");

        Assert.Empty(set.All<V1StatefulSet>());
        Assert.DoesNotContain(set.All<V1Secret>(), s => s.Metadata.Name.EndsWith("-auth", StringComparison.Ordinal));
        Assert.Equal(redis, Encoding.UTF8.GetString(set.One<V1Secret>("cache-connection").Data["connection-string"]));
        Assert.Equal(postgres, Encoding.UTF8.GetString(set.One<V1Secret>("registry-connection").Data["connection-string"]));
        var rules = set.One<V1NetworkPolicy>("sandbox-egress").Spec.Egress;
        Assert.Equal(["6380", "5433"], rules.Skip(1).Select(r => Assert.Single(r.Ports).Port.Value));
        Assert.All(rules.Skip(1), r => Assert.Equal("0.0.0.0/0", Assert.Single(r.To).IpBlock.Cidr));
        Assert.DoesNotContain(set.Files.Where(f => f.Key != "01-secrets.yaml").Select(f => f.Value), t => t.Contains("ext3rnal-pw", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ExternalNameNotInTheTopology_NamesTheResourcesThatHaveConnectionStrings()
    {
        var errors = KubernetesPublisher.Validate(Stack, InProcess.Options("--external", "postgres=Host=x"));

        Assert.Equal("--external 'postgres' is not a resource with a connection string; the topology has: cache, registry.", Assert.Single(errors));
    }

    [Fact]
    public void Build_SameSecrets_GivesByteIdenticalFiles()
    {
        var first = InProcess.Deterministic(Stack);
        var second = InProcess.Deterministic(Stack);

        Assert.Equal(first.Manifests.Select(KubernetesPublisher.Serialize), second.Manifests.Select(KubernetesPublisher.Serialize));
    }

    private static string[] AllowedFrom(Manifests set, string policy)
    {
        var rule = Assert.Single(set.One<V1NetworkPolicy>(policy).Spec.Ingress);
        var peer = Assert.Single(rule.FromProperty);
        Assert.Null(peer.NamespaceSelector);
        return [.. Assert.Single(peer.PodSelector.MatchExpressions).Values.Order(StringComparer.Ordinal)];
    }
}
