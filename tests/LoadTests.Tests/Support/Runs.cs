using BenchPlatform.LoadTests.Engine;

namespace BenchPlatform.LoadTests.Tests.Support;

/// <summary>An engine over a fresh handler, and a GET source, for engine tests.</summary>
internal static class Runs
{
    public static (LoadEngine Engine, IDisposable Handler) Engine(int connections, TimeSpan? timeout = null)
    {
        var handler = LoadEngine.CreateHandler(connections);
        var invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        return (new LoadEngine(invoker, timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System), invoker);
    }

    public static IRequestSource Get(Uri url) => new LoadTests.Scenarios.BodyRequestSource(HttpMethod.Get, url, null, "application/json", null);
}
