using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Tests.Llm;

public sealed class LlmConfigurationTests
{
    [Fact]
    public async Task Start_BadModelEntries_FailsNamingEveryKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:Models:both:Path"] = "/tmp",
            ["Llm:Models:both:Upstream"] = "http://127.0.0.1:1/v1",
            ["Llm:Models:missing:Path"] = "/no/such/folder",
            ["Llm:Models:ftp:Upstream"] = "ftp://example/v1",
        }));
        Assert.Contains("Llm:Models:both", error.Message);
        Assert.Contains("Llm:Models:missing:Path", error.Message);
        Assert.Contains("Llm:Models:ftp:Upstream", error.Message);
    }

    [Fact]
    public async Task Start_NegativeStreamInterval_FailsNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LlmHost.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:StreamIntervalMs"] = "-1",
        }));
        Assert.Contains("Llm:StreamIntervalMs", error.Message);
    }

    [Fact]
    public async Task Start_FolderThatIsNotADecoder_FailsNamingTheKey()
    {
        var folder = Path.Combine(Path.GetTempPath(), "not-a-decoder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LlmHost.StartAsync(new Dictionary<string, string?>
            {
                ["Llm:TinyLm"] = "",
                ["Llm:Models:empty:Path"] = folder,
            }));
            Assert.Contains("Llm:Models:empty:Path", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
