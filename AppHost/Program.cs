using BenchPlatform.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddRedis("cache");
var registry = builder.AddPostgres("pg").AddDatabase("registry");

var inference = builder.AddProject<Projects.InferenceWorker_Gpu>("inference")
    .WithReference(cache).WithReference(registry)
    .WaitFor(cache).WaitFor(registry)
    .WithEnvironment("Inference__RegisterSamples", "true")
    .WithPreload("mlp")
    .WithAutoscale(min: 1, max: 4, targetInflightPerReplica: 8, scaleDownWindow: TimeSpan.FromSeconds(60));

var sandbox = builder.AddProject<Projects.SandboxRunner>("sandbox")
    .WithReference(cache).WithReference(registry)
    .WaitFor(registry);

// The gateway holds requests while a cluster has no ready replica, so it starts alongside the workers
// rather than after them; its /health says "healthy" once they are in rotation.
builder.AddProject<Projects.Gateway>("gateway")
    .WithReference(cache).WithReference(registry)
    .WithReference(inference).WithReference(sandbox)
    .WaitFor(cache).WaitFor(registry)
    .WithHttpEndpoint(port: 8080);

builder.Build().Run();
