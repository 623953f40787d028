namespace BenchPlatform.AppHost.Dashboard.Resources;

/// <summary>One row of the resources table: a server, a database or a project with its replicas.</summary>
public sealed record ResourceView(
    string Name,
    string Type,
    string State,
    string Health,
    IReadOnlyList<EndpointView> Endpoints,
    int? Pid,
    DateTimeOffset? StartedAt,
    int Restarts,
    IReadOnlyList<ReplicaView> Replicas,
    IReadOnlyList<VariableView> Environment,
    IReadOnlyList<string> Actions,
    string? Detail);
