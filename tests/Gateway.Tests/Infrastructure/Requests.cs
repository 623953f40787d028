using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BenchPlatform.Gateway.Tests.Infrastructure;

/// <summary>Request bodies and response readers the tests share.</summary>
public static class Requests
{
    public const string ValidInfer = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static EchoReply Echo(string body) =>
        JsonSerializer.Deserialize<EchoReply>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public static async Task<EchoReply> EchoAsync(HttpResponseMessage response) => Echo(await response.Content.ReadAsStringAsync());

    /// <summary>The problem+json body of an error, asserting the media type.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public static string ServerTiming(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(", ", values) : "";

    public static HttpRequestMessage Infer(string model, string json = ValidInfer) =>
        new(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = Json(json) };

    public static void Bearer(HttpRequestMessage request, string key) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
}
