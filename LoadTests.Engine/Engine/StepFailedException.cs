namespace BenchPlatform.LoadTests.Engine;

/// <summary>Thrown by <see cref="Step.Run"/> when a step returns a failure: the iteration stops there and fails with it.</summary>
internal sealed class StepFailedException(string step, Response response)
    : Exception($"step '{step}' failed: {response.Message ?? (response.StatusCode > 0 ? $"HTTP {response.StatusCode}" : "Response.Fail()")}")
{
    public string Step { get; } = step;

    public Response Response { get; } = response;
}
