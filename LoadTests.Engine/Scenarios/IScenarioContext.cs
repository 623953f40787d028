namespace BenchPlatform.LoadTests;

/// <summary>What one iteration of a scenario sees: who it is, the shared HTTP client, its cancellation.</summary>
public interface IScenarioContext
{
    /// <summary>The scenario's name.</summary>
    string ScenarioName { get; }

    /// <summary>This iteration's number in the scenario, from 0 (warm-up iterations included).</summary>
    long InvocationNumber { get; }

    /// <summary>Whether this iteration belongs to the warm-up (sent, but left out of every figure).</summary>
    bool IsWarmUp { get; }

    /// <summary>The runner's base address (<see cref="LoadTestRunner.WithTarget"/>), or null.</summary>
    Uri? Target { get; }

    /// <summary>The HTTP client every iteration shares (one connection pool); <see cref="Http.Send(IScenarioContext, HttpRequestMessage)"/> uses it.</summary>
    HttpMessageInvoker Client { get; }

    /// <summary>Cancelled when the iteration times out (<see cref="LoadTestRunner.WithRequestTimeout"/>) or the run stops.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The W3C trace id this iteration sends in <c>traceparent</c>: find its trace in the dashboard.</summary>
    string TraceId { get; }
}
