using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>Wakes held requests when YARP has applied a change to a cluster's destinations.</summary>
internal sealed class ClusterChangeSignal(DestinationRegistry registry) : IClusterChangeListener
{
    public void OnClusterAdded(ClusterState cluster) => registry.Pulse(cluster.ClusterId);

    public void OnClusterChanged(ClusterState cluster) => registry.Pulse(cluster.ClusterId);

    public void OnClusterRemoved(ClusterState cluster) => registry.Pulse(cluster.ClusterId);
}
