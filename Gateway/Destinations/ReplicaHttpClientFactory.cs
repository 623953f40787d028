using Yarp.ReverseProxy.Forwarder;

namespace BenchPlatform.Gateway.Destinations;

/// <summary>YARP's forwarder client, with connections opened by <see cref="UnixSocketConnector"/>.</summary>
internal sealed class ReplicaHttpClientFactory(UnixSocketConnector connector, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectCallback = connector.ConnectAsync;
    }
}
