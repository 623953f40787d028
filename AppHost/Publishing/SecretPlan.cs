using System.Security.Cryptography;
using System.Text;
using BenchPlatform.AppHost.Hosting.Resources;
using BenchPlatform.AppHost.Hosting.Servers;
using k8s.Models;
using Npgsql;

namespace BenchPlatform.AppHost.Publishing;

/// <summary>
/// Every credential of the published set, each in a Secret: the internal token, the server passwords, one
/// connection string per referenced resource and the gateway's API keys. Values are generated at publish time
/// (or are the <c>--external</c> connection strings); containers read them through <c>secretKeyRef</c> only.
/// </summary>
internal sealed class SecretPlan
{
    public const string PasswordKey = "password";
    public const string ConnectionStringKey = "connection-string";
    public const string TokenKey = "token";
    public const string AdminKey = "admin";
    public const string UserKey = "user";

    private readonly List<V1Secret> _secrets = [];
    private readonly PublishOptions _options;
    private readonly Func<string> _newSecret;

    public SecretPlan(IReadOnlyList<LocalResource> resources, PublishOptions options, Func<string> newSecret)
    {
        _options = options;
        _newSecret = newSecret;
        Add(KubernetesNames.InternalTokenSecret, KubernetesNames.PartOf, "platform", new() { [TokenKey] = newSecret() });

        foreach (var resource in resources)
        {
            switch (resource)
            {
                case RedisResource redis:
                    if (options.External.TryGetValue(redis.Name, out var external))
                    {
                        AddConnection(redis.Name, "cache", external);
                    }
                    else
                    {
                        var password = AddPassword(redis.Name, "cache");
                        AddConnection(redis.Name, "cache", $"{redis.Name}:{BackingServiceManifests.RedisPort},password={password},abortConnect=false");
                    }

                    break;
                case PostgresServerResource server when InCluster(server, options):
                    var serverPassword = AddPassword(server.Name, "database");
                    foreach (var database in server.Databases)
                    {
                        if (!options.External.ContainsKey(database.Name))
                        {
                            AddConnection(database.Name, "database", new NpgsqlConnectionStringBuilder
                            {
                                Host = server.Name,
                                Port = BackingServiceManifests.PostgresPort,
                                Username = LocalPostgres.User,
                                Password = serverPassword,
                                Database = database.DatabaseName,
                            }.ConnectionString);
                        }
                    }

                    break;
                case PostgresDatabaseResource database when options.External.TryGetValue(database.Name, out var connection):
                    AddConnection(database.Name, "database", connection);
                    break;
                case LocalProjectResource project when ContainerProfiles.For(project).Role == ProjectRole.Gateway && ApiKeys is null:
                    ApiKeys = Add(KubernetesNames.ApiKeysSecret, project.Name, "gateway", new() { [AdminKey] = newSecret(), [UserKey] = newSecret() });
                    break;
            }
        }
    }

    /// <summary>The Secrets, in the order they were planned.</summary>
    public IReadOnlyList<V1Secret> Secrets => _secrets;

    /// <summary>The API keys Secret, when the topology has a gateway.</summary>
    public V1Secret? ApiKeys { get; private set; }

    /// <summary>Whether <paramref name="server"/> runs in the cluster (some database of it is not external).</summary>
    public static bool InCluster(PostgresServerResource server, PublishOptions options) =>
        server.Databases.Count == 0 || server.Databases.Any(d => !options.External.ContainsKey(d.Name));

    /// <summary>The Secret holding <paramref name="resourceName"/>'s server password.</summary>
    public static string PasswordSecret(string resourceName) => $"{resourceName}-auth";

    /// <summary>The Secret holding the connection string of <paramref name="resourceName"/>.</summary>
    public static string ConnectionSecret(string resourceName) => $"{resourceName}-connection";

    /// <summary>A 48-hex-digit secret from the operating system's CSPRNG (as the local AppHost makes them).</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>An environment variable read from <paramref name="secret"/>'s <paramref name="key"/>.</summary>
    public static V1EnvVar FromSecret(string variable, string secret, string key) => new()
    {
        Name = variable,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key } },
    };

    private string AddPassword(string resourceName, string component)
    {
        var password = _newSecret();
        Add(PasswordSecret(resourceName), resourceName, component, new() { [PasswordKey] = password });
        return password;
    }

    private void AddConnection(string resourceName, string component, string connectionString) =>
        Add(ConnectionSecret(resourceName), resourceName, component, new() { [ConnectionStringKey] = connectionString });

    private V1Secret Add(string name, string resourceName, string component, Dictionary<string, string> values)
    {
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = KubernetesNames.Metadata(name, _options.Namespace, resourceName, component),
            Type = "Opaque",
            Data = values.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value), StringComparer.Ordinal),
        };
        _secrets.Add(secret);
        return secret;
    }
}
