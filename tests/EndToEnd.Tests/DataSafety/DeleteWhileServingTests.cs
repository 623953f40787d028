using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BenchPlatform.LoadTests.Scenarios;
using BenchPlatform.TestCommon;

namespace BenchPlatform.EndToEnd.Tests.DataSafety;

/// <summary>
/// A model deleted while four clients infer on it: every answer is the correct output or a 404 problem+json once the
/// delete has taken effect; never a 5xx, a different output or a hang; and once a client has seen the 404 it never sees
/// the model again.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class DeleteWhileServingTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private const string Model = "delete-probe";

    [Fact]
    public async Task Delete_WhileFourClientsInfer_EveryAnswerIsCorrectOr404AndNothingFails()
    {
        using (var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(RepoPaths.SharedModels, "melspectrogram.onnx"))))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var upload = await stack.Gateway.PostAsync($"v1/models?name={Model}", content);
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }

        using var handler = new SocketsHttpHandler();
        var api = new GatewayApi(handler, stack.GatewayUrl, apiKey: null, TimeSpan.FromSeconds(30));
        var body = InferBody.Build(await api.GetInputsAsync(Model, CancellationToken.None), 1, 1600, 16000, useCache: false);
        var expected = await InferAsync(body);
        Assert.Equal(HttpStatusCode.OK, expected.Status);

        var served = 0;
        var deleted = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var outcomes = new List<string>();
            var sawGone = false;
            while (!stop.IsCancellationRequested)
            {
                var (status, outputs, contentType) = await InferAsync(body);
                if (status == HttpStatusCode.OK)
                {
                    Assert.False(sawGone, "a client saw the model again after a 404");
                    Assert.Equal(expected.Outputs, outputs);
                    Interlocked.Increment(ref served);
                }
                else
                {
                    Assert.True(status == HttpStatusCode.NotFound && Volatile.Read(ref deleted), $"got {(int)status} (deleted: {deleted})");
                    Assert.Equal("application/problem+json", contentType);
                    sawGone = true;
                    outcomes.Add("404");
                    if (outcomes.Count >= 3)
                    {
                        return outcomes;
                    }
                }
            }

            throw new TimeoutException("the delete never took effect for this client");
        })).ToList();

        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref served) >= 40), TimeSpan.FromSeconds(60), "the clients did not get going");
        Volatile.Write(ref deleted, true);
        using (var delete = await stack.Gateway.DeleteAsync($"v1/models/{Model}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await Task.WhenAll(clients);
    }

    private async Task<(HttpStatusCode Status, string? Outputs, string? ContentType)> InferAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await stack.Gateway.PostAsync($"v2/models/{Model}/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null, response.Content.Headers.ContentType?.MediaType);
        }

        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.GetProperty("outputs").GetRawText(), response.Content.Headers.ContentType?.MediaType);
    }
}
