using BenchPlatform.TestCommon;

namespace BenchPlatform.EndToEnd.Tests.Security;

/// <summary>The whole stack with two gateway API keys configured (an admin one and a user one), through the environment.</summary>
public sealed class KeyedStackFixture : IAsyncLifetime
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string UserKey = "user-key-0123456789abcdef";

    /// <summary>The running AppHost.</summary>
    public AppHostProcess Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = AppHostProcess.Start(environment: new Dictionary<string, string?>
        {
            ["Gateway__ApiKeys__0__Key"] = AdminKey,
            ["Gateway__ApiKeys__0__Name"] = "ops",
            ["Gateway__ApiKeys__0__Role"] = "admin",
            ["Gateway__ApiKeys__1__Key"] = UserKey,
            ["Gateway__ApiKeys__1__Name"] = "app",
            ["Gateway__ApiKeys__1__Role"] = "user",
        });
        await Stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        var survivors = await Stack.StopAsync();
        await Stack.DisposeAsync();
        if (survivors.Count > 0)
        {
            throw new InvalidOperationException($"Processes outlived the AppHost: {string.Join("; ", survivors)}");
        }
    }
}
