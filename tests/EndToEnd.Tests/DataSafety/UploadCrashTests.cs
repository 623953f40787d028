using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using BenchPlatform.TestCommon;

namespace BenchPlatform.EndToEnd.Tests.DataSafety;

/// <summary>
/// A model upload cut short at each of its steps by a crash of the worker (<c>Inference__FaultInjection__CrashAt</c>:
/// <see cref="Environment.FailFast(string)"/>, no cleanup), then the stack restarted on the same state: the model is not
/// visible, every listed model has its blob and every blob is a listed model's, no temp file is left, the same upload then succeeds, and a committed
/// upload survives a restart of the whole AppHost.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class UploadCrashTests : IDisposable
{
    private const string Model = "crash-probe";
    private static readonly string[] Steps = ["after-stage", "after-rename", "before-commit"];
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"benchplatform-crash-{Guid.NewGuid():N}");
    private readonly byte[] _bytes = File.ReadAllBytes(Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx"));

    [Fact]
    public async Task Upload_CrashAtEveryStep_NothingPartialVisibleNoTempLeftAndTheRetrySurvivesARestart()
    {
        // First start registers the sample models (uploads of their own), so the crash point is only armed afterwards.
        await using (var first = await StartAsync(crashAt: null))
        {
            await first.StopAsync(TimeSpan.FromSeconds(60));
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(_bytes));
        foreach (var step in Steps)
        {
            await using (var crashing = await StartAsync(step))
            {
                using var upload = await UploadAsync(crashing);
                Assert.True(upload.StatusCode == HttpStatusCode.ServiceUnavailable,
                    $"{step}: the worker should have died mid-upload, got {(int)upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
                await crashing.StopAsync(TimeSpan.FromSeconds(60));
            }

            await using var restarted = await StartAsync(crashAt: null);
            using (var probe = await restarted.Http.GetAsync(new Uri(restarted.GatewayUrl, $"v1/models/{Model}")))
            {
                Assert.True(probe.StatusCode == HttpStatusCode.NotFound, $"{step}: a model cut short must not be visible, got {(int)probe.StatusCode}");
            }

            await AssertRegistryAndBlobsAgreeAsync(restarted, step);
            Assert.Empty(Directory.GetFiles(Blobs, "*.tmp"));

            using (var retry = await UploadAsync(restarted))
            {
                Assert.True(retry.StatusCode == HttpStatusCode.Created, $"{step}: retry got {(int)retry.StatusCode} {await retry.Content.ReadAsStringAsync()}");
            }

            using (var delete = await restarted.Http.DeleteAsync(new Uri(restarted.GatewayUrl, $"v1/models/{Model}")))
            {
                Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            }

            await restarted.StopAsync(TimeSpan.FromSeconds(60));
        }

        // A committed upload survives a restart of the whole AppHost: listed with the same hash, and it loads.
        await using (var before = await StartAsync(crashAt: null))
        {
            using var upload = await UploadAsync(before);
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            await before.StopAsync(TimeSpan.FromSeconds(60));
        }

        await using var after = await StartAsync(crashAt: null);
        using var model = await after.Http.GetAsync(new Uri(after.GatewayUrl, $"v1/models/{Model}"));
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        using (var json = JsonDocument.Parse(await model.Content.ReadAsStringAsync()))
        {
            Assert.Equal(sha256, json.RootElement.GetProperty("sha256").GetString());
        }

        using var warmup = await after.Http.PostAsync(new Uri(after.GatewayUrl, $"v1/models/{Model}/warmup"), null);
        Assert.True(warmup.StatusCode == HttpStatusCode.OK, await warmup.Content.ReadAsStringAsync());
        await AssertRegistryAndBlobsAgreeAsync(after, "after the restart");
        await after.StopAsync(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Blobs => Path.Combine(_state, "blobs");

    private async Task<AppHostProcess> StartAsync(string? crashAt)
    {
        var stack = AppHostProcess.Start(environment: new Dictionary<string, string?> { ["Inference__FaultInjection__CrashAt"] = crashAt }, stateFolder: _state);
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return stack;
    }

    private async Task<HttpResponseMessage> UploadAsync(AppHostProcess stack)
    {
        using var content = new ByteArrayContent(_bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await stack.Http.PostAsync(new Uri(stack.GatewayUrl, $"v1/models?name={Model}"), content);
    }

    /// <summary>Every model the registry lists has its blob in the store, and every blob in the store is a listed model's (each name has one version here).</summary>
    private async Task AssertRegistryAndBlobsAgreeAsync(AppHostProcess stack, string when)
    {
        using var list = JsonDocument.Parse(await stack.Http.GetStringAsync(new Uri(stack.GatewayUrl, "v1/models")));
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in list.RootElement.GetProperty("data").EnumerateArray())
        {
            if (entry.GetProperty("kind").GetString() == "onnx")
            {
                var sha = entry.GetProperty("sha256").GetString()!;
                listed.Add(sha);
                Assert.True(File.Exists(Path.Combine(Blobs, sha + ".onnx")), $"{when}: {entry.GetProperty("id").GetString()} is listed but its blob {sha} is missing");
            }
        }

        foreach (var blob in Directory.GetFiles(Blobs, "*.onnx"))
        {
            Assert.True(listed.Contains(Path.GetFileNameWithoutExtension(blob)), $"{when}: blob {Path.GetFileName(blob)} is in the store but no listed model references it");
        }
    }
}
