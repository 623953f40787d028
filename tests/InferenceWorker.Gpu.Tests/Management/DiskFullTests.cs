using System.Diagnostics;
using System.Net;
using BenchPlatform.InferenceWorker.Samples;
using BenchPlatform.InferenceWorker.Tests.Hosting;
using BenchPlatform.TestCommon;

namespace BenchPlatform.InferenceWorker.Tests.Management;

/// <summary>
/// A model upload into a full blob store: the worker's storage root is a small tmpfs (mounted here, so the test
/// needs root, as CI and this machine have), filled to the last byte before the upload.
/// </summary>
[Collection(InferenceCollection.Name)]
public sealed class DiskFullTests(PostgresFixture postgres, RedisFixture redis)
{
    [Fact]
    public async Task Upload_BlobStoreDiskFull_Returns507ProblemStoresNothingLeavesNoTempFileAndRecovers()
    {
        Assert.True(Environment.IsPrivilegedProcess, "This test mounts a tmpfs; run it as root.");
        var root = Path.Combine(Path.GetTempPath(), $"benchplatform-diskfull-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", root);
        try
        {
            await using var host = await WorkerHost.StartAsync(await postgres.CreateDatabaseAsync(), redis.ConnectionString, storageRoot: root);
            var filler = Path.Combine(root, "filler");
            Fill(filler);

            using (var response = await host.UploadAsync("linear", SampleModels.Linear()))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode}: {body}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("nothing was stored", body, StringComparison.Ordinal);
            }

            using (var lookup = await host.Client.GetAsync("v1/models/linear"))
            {
                Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
            }

            var blobs = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => f != filler).ToList();
            Assert.True(blobs.Count == 0 || blobs.All(f => !f.EndsWith(".tmp", StringComparison.Ordinal) && !f.EndsWith(".onnx", StringComparison.Ordinal)),
                $"Left behind: {string.Join(", ", blobs)}");

            File.Delete(filler);
            var model = await host.UploadOkAsync("linear", SampleModels.Linear());
            Assert.Equal(1, model.GetProperty("version").GetInt32());
        }
        finally
        {
            await RunAsync("umount", "-l", root);
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Fill(string path)
    {
        var chunk = new byte[4096];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full.
        }

        chunk = new byte[1];
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full to the last byte.
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {error}");
    }
}
