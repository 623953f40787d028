using BenchPlatform.AppHost.Hosting.Orchestration;

namespace BenchPlatform.AppHost.Tests.Hosting.Orchestration;

public sealed class ResourceLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"resource-log-{Guid.NewGuid():N}");

    [Fact]
    public void Append_PastTheLineLimit_KeepsTheLastLinesInOrder()
    {
        using var log = new ResourceLog("x", Path.Combine(_folder, "x.log"), maxLines: 3, maxFileBytes: 1 << 20, TimeProvider.System);

        for (var i = 1; i <= 5; i++)
        {
            log.Append($"line {i}");
        }

        Assert.Equal(["line 3", "line 4", "line 5"], log.Snapshot().Select(l => l.Text));
        Assert.Equal(5, File.ReadAllLines(log.FilePath).Length);
    }

    [Fact]
    public void Append_PastTheFileLimit_RotatesKeepingOneOldFile()
    {
        using var log = new ResourceLog("x", Path.Combine(_folder, "x.log"), maxLines: 10, maxFileBytes: 200, TimeProvider.System);

        for (var i = 0; i < 20; i++)
        {
            log.Append(new string('a', 40));
        }

        Assert.True(new FileInfo(log.FilePath).Length <= 200);
        Assert.True(File.Exists(log.FilePath + ".1"));
        Assert.True(new FileInfo(log.FilePath + ".1").Length <= 200);
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
