using BenchPlatform.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddRedis("cache");
var registry = builder.AddPostgres("pg").AddDatabase("registry");

var inference = builder.AddProject<Projects.InferenceWorker_Gpu>("inference")
    .WithReference(cache).WithReference(registry)
    .WaitFor(cache).WaitFor(registry)
    .WithReplicas(1);

var sandbox = builder.AddProject<Projects.SandboxRunner>("sandbox")
    .WithReference(cache).WithReference(registry)
    .WaitFor(registry);

builder.AddProject<Projects.Gateway>("gateway")
    .WithReference(cache).WithReference(registry)
    .WithReference(inference).WithReference(sandbox)
    .WaitFor(inference).WaitFor(sandbox)
    .WithHttpEndpoint(port: 8080);

builder.Build().Run();
