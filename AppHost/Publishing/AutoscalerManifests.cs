using System.Globalization;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Publishing.Keda;
using k8s;
using k8s.Models;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// The AppHost's <see cref="AutoscalePolicy"/> as a Kubernetes autoscaler on the gateway's demand for the project:
/// desired = ceil(demand / target in-flight per replica) within [min, max], up at once, down one replica per
/// scale-down window after demand stayed lower for that window.
/// </summary>
internal static class AutoscalerManifests
{
    /// <summary>The HPA's seconds between scale-up steps (Kubernetes' own default period).</summary>
    private const int ScaleUpPeriodSeconds = 15;

    public static IKubernetesObject For(LocalProjectResource project, AutoscalePolicy policy, PublishOptions options) =>
        options.Autoscaler == AutoscalerKind.Keda ? ScaledObject(project, policy, options) : HorizontalPodAutoscaler(project, policy, options);

    /// <summary>
    /// autoscaling/v2 on the External metric <c>gateway_cluster_inflight{cluster="NAME"}</c> with an AverageValue target,
    /// so the HPA divides the gateway's demand by the replica count as the local autoscaler does.
    /// </summary>
    public static V2HorizontalPodAutoscaler HorizontalPodAutoscaler(LocalProjectResource project, AutoscalePolicy policy, PublishOptions options) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = KubernetesNames.Metadata(project.Name, options.Namespace, project.Name, "autoscaler"),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = project.Name },
            // An HPA cannot go below one replica (scale to zero is what --autoscaler keda is for).
            MinReplicas = Math.Max(1, policy.Min),
            MaxReplicas = policy.Max,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "External",
                    External = new V2ExternalMetricSource
                    {
                        Metric = new V2MetricIdentifier
                        {
                            Name = KubernetesNames.InflightMetric,
                            Selector = new V1LabelSelector
                            {
                                MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { [KubernetesNames.ClusterMetricLabel] = project.Name },
                            },
                        },
                        Target = new V2MetricTarget
                        {
                            Type = "AverageValue",
                            AverageValue = new ResourceQuantity(policy.TargetInflightPerReplica.ToString(CultureInfo.InvariantCulture)),
                        },
                    },
                },
            ],
            Behavior = Behavior(policy),
        },
    };

    /// <summary>A KEDA ScaledObject with a Prometheus trigger on in-flight plus held requests; can scale to zero.</summary>
    public static ScaledObject ScaledObject(LocalProjectResource project, AutoscalePolicy policy, PublishOptions options) => new()
    {
        Metadata = KubernetesNames.Metadata(project.Name, options.Namespace, project.Name, "autoscaler"),
        Spec = new ScaledObjectSpec
        {
            ScaleTargetRef = new ScaleTargetRef { ApiVersion = "apps/v1", Kind = "Deployment", Name = project.Name },
            PollingInterval = 5,
            CooldownPeriod = WindowSeconds(policy),
            MinReplicaCount = policy.Min,
            MaxReplicaCount = policy.Max,
            Advanced = new ScaledObjectAdvanced { HorizontalPodAutoscalerConfig = new HorizontalPodAutoscalerConfig { Behavior = Behavior(policy) } },
            Triggers =
            [
                new ScaleTrigger
                {
                    Type = "prometheus",
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["serverAddress"] = options.PrometheusUrl,
                        ["query"] = DemandQuery(project.Name, options.Namespace),
                        ["threshold"] = policy.TargetInflightPerReplica.ToString(CultureInfo.InvariantCulture),
                        ["activationThreshold"] = "0",
                    },
                },
            ],
        },
    };

    /// <summary>PromQL for the gateway's demand on <paramref name="cluster"/>: requests in flight plus requests held while it is cold.</summary>
    public static string DemandQuery(string cluster, string ns) =>
        $"sum({KubernetesNames.InflightMetric}{{{KubernetesNames.ClusterMetricLabel}=\"{cluster}\",k8s_namespace_name=\"{ns}\"}}) + " +
        $"sum({KubernetesNames.WaitingMetric}{{{KubernetesNames.ClusterMetricLabel}=\"{cluster}\",k8s_namespace_name=\"{ns}\"}})";

    /// <summary>
    /// Helm values for prometheus-adapter that serve the HPA's External metric: the gateway's in-flight plus held
    /// requests per cluster, summed over the gateway pods of the namespace.
    /// </summary>
    public static string PrometheusAdapterValues() => $$"""
        # Helm values for prometheus-community/prometheus-adapter, written by `AppHost publish`.
        # Serves the External metric the HorizontalPodAutoscaler reads: the gateway's requests in flight
        # plus the requests it holds while a cluster is cold (the demand the local autoscaler divides by
        # the target in-flight per replica), summed over every gateway pod of the namespace.
        # Install: helm upgrade --install prometheus-adapter prometheus-community/prometheus-adapter \
        #            -n monitoring -f prometheus-adapter-values.yaml --set prometheus.url=http://prometheus-server.monitoring.svc
        rules:
          default: false
          external:
            - seriesQuery: '{{KubernetesNames.InflightMetric}}{{{KubernetesNames.ClusterMetricLabel}}!="",k8s_namespace_name!=""}'
              resources:
                overrides:
                  k8s_namespace_name: {resource: namespace}
              name:
                matches: "^{{KubernetesNames.InflightMetric}}$"
                as: "{{KubernetesNames.InflightMetric}}"
              metricsQuery: 'sum({{KubernetesNames.InflightMetric}}{<<.LabelMatchers>>}) by ({{KubernetesNames.ClusterMetricLabel}}) + sum({{KubernetesNames.WaitingMetric}}{<<.LabelMatchers>>}) by ({{KubernetesNames.ClusterMetricLabel}})'

        """;

    private static int WindowSeconds(AutoscalePolicy policy) => Math.Clamp((int)Math.Ceiling(policy.ScaleDownWindow.TotalSeconds), 0, 3600);

    private static V2HorizontalPodAutoscalerBehavior Behavior(AutoscalePolicy policy) => new()
    {
        ScaleUp = new V2HPAScalingRules
        {
            StabilizationWindowSeconds = 0,
            SelectPolicy = "Max",
            Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = policy.Max, PeriodSeconds = ScaleUpPeriodSeconds }],
        },
        ScaleDown = new V2HPAScalingRules
        {
            StabilizationWindowSeconds = WindowSeconds(policy),
            SelectPolicy = "Max",
            Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = Math.Clamp(WindowSeconds(policy), 1, 1800) }],
        },
    };
}
