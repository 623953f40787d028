using BenchPlatform.Gateway.Destinations;
using BenchPlatform.Gateway.Health;
using BenchPlatform.Gateway.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace BenchPlatform.Gateway;

/// <summary>Registration and mapping of the gateway's features.</summary>
public static class GatewayExtensions
{
    /// <summary>Adds options, dynamic destinations, dependency probes and the YARP proxy.</summary>
    public static TBuilder AddGateway<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<DestinationRegistry>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<DestinationRegistry>().ConfigProvider);
        services.AddSingleton<IAvailableDestinationsPolicy, ReadyDestinationsPolicy>();
        services.AddSingleton<IClusterChangeListener, ClusterChangeSignal>();
        services.AddSingleton<DependencyProbes>();
        services.AddReverseProxy();
        return builder;
    }

    /// <summary>Maps <c>/health</c>, the internal endpoints and the proxy routes.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapGatewayHealth();
        app.MapInternalApi();
        app.MapReverseProxy();
        return app;
    }
}
