using BenchPlatform.AppHost.Hosting;

namespace BenchPlatform.AppHost.Tests.Hosting;

public sealed class WithPreloadTests
{
    [Fact]
    public void WithPreload_Models_DeclaredInOrderAndPassedAsWorkerPreloadVariables()
    {
        var builder = DistributedApplication.CreateBuilder([]);

        var inference = builder.AddProject<Projects.InferenceWorker_Gpu>("inference").WithPreload("mlp", "linear").WithPreload("mlp");

        Assert.Equal(["mlp", "linear"], inference.Resource.Preload);
        Assert.Equal("mlp", inference.Resource.Environment["Inference__Preload__0"]);
        Assert.Equal("linear", inference.Resource.Environment["Inference__Preload__1"]);
        Assert.False(inference.Resource.Environment.ContainsKey("Inference__Preload__2"));
    }

    [Fact]
    public void WithPreload_BlankName_Throws()
    {
        var builder = DistributedApplication.CreateBuilder([]);

        Assert.Throws<ArgumentException>(() => builder.AddProject<Projects.InferenceWorker_Gpu>("inference").WithPreload(" "));
    }

    [Fact]
    public void WithAutoscale_NegativeBuffer_Throws()
    {
        var builder = DistributedApplication.CreateBuilder([]);

        Assert.Throws<ArgumentOutOfRangeException>(
            () => builder.AddProject<Projects.InferenceWorker_Gpu>("inference").WithAutoscale(0, 2, 8, TimeSpan.FromSeconds(1), buffer: -1));
    }
}
