namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>A resource a service reaches through <c>ConnectionStrings__{name}</c>.</summary>
public interface IConnectionSource
{
    /// <summary>The key under <c>ConnectionStrings</c>.</summary>
    string ConnectionName { get; }

    /// <summary>The connection string, known once the AppHost has allocated ports and secrets.</summary>
    string ConnectionString { get; }
}
