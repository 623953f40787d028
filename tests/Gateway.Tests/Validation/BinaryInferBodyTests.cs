using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BenchPlatform.Gateway.Tests.Infrastructure;
using BenchPlatform.Protocol.Inference;
using static BenchPlatform.Gateway.Tests.Infrastructure.Requests;

namespace BenchPlatform.Gateway.Tests.Validation;

/// <summary>
/// Infer bodies with binary tensor data (Inference-Header-Content-Length): the JSON header is validated, the raw
/// tensors after it are forwarded untouched, and a header that does not fit the body is a 400 naming it.
/// </summary>
public sealed class BinaryInferBodyTests : IAsyncLifetime
{
    private const string Header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}}]}";
    private TestReplica _inference = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _inference = await TestReplica.StartAsync("inference-0");
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["services:inference:http:0"] = _inference.Address.ToString(),
            ["Gateway:MaxJsonBodyBytes"] = "4096",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _inference.DisposeAsync();
    }

    public static TheoryData<string, byte[]> BodiesWhoseSizesAddUp => new()
    {
        { Header, new byte[16] },
        {
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16}},{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[1,2]},{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":7}}],\"parameters\":{\"binary_data_output\":true}}",
            [.. new byte[16], 3, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c']
        },
    };

    [Theory]
    [MemberData(nameof(BodiesWhoseSizesAddUp))]
    public void Validate_BinaryHeaderWhoseSizesAddUp_AcceptsExactlyThoseBytes(string json, byte[] binary)
    {
        var header = Encoding.UTF8.GetBytes(json);

        Assert.Null(InferBodyReader.Validate([.. header, .. binary], header.Length, out var counts));
        Assert.Equal(binary.Length, counts.BinaryBytes);
        Assert.Equal(InferBodyReader.BinaryHeader, InferBodyReader.Validate([.. header, .. binary, 0], header.Length, out _)?.Field);
        Assert.NotNull(InferBodyReader.Validate(header, null, out _));
    }

    [Fact]
    public async Task Infer_BinaryBodyWithBytesThatAreNotUtf8_IsForwardedByteForByteWithItsHeader()
    {
        byte[] tensor = [0xFF, 0xFE, 0x00, 0x80, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64];

        using var response = await _gateway.Client.SendAsync(Binary(Header, tensor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _inference.Requests);
        var headers = _inference.ReceivedHeaders.Single();
        Assert.Equal(Encoding.UTF8.GetByteCount(Header).ToString(System.Globalization.CultureInfo.InvariantCulture), headers["Inference-Header-Content-Length"].ToString());
        Assert.Equal((Encoding.UTF8.GetByteCount(Header) + tensor.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var echoed = (await EchoAsync(response)).Body;
        Assert.StartsWith(Header, echoed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", 16, "Inference-Header-Content-Length")]
    [InlineData("0", 16, "Inference-Header-Content-Length")]
    [InlineData("abc", 16, "Inference-Header-Content-Length")]
    [InlineData("99999999999999", 16, "Inference-Header-Content-Length")]
    [InlineData("HEADER+1000", 16, "Inference-Header-Content-Length")]
    [InlineData("HEADER", 15, "Inference-Header-Content-Length")]
    [InlineData("HEADER", 17, "Inference-Header-Content-Length")]
    [InlineData("HEADER-3", 16, "body")]
    public async Task Infer_HeaderThatDoesNotFitTheBody_Returns400NamingItAndForwardsNothing(string value, int binaryLength, string field)
    {
        var length = Encoding.UTF8.GetByteCount(Header);
        var headerValue = value switch
        {
            "HEADER" => $"{length}",
            "HEADER+1000" => $"{length + 1000}",
            "HEADER-3" => $"{length - 3}",
            _ => value,
        };

        using var response = await _gateway.Client.SendAsync(Binary(Header, new byte[binaryLength], headerValue));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(0, _inference.Requests);
    }

    [Fact]
    public async Task Infer_BinaryDataSizeWithoutTheHeader_Returns400SayingToSendIt()
    {
        using var response = await _gateway.Client.SendAsync(Infer("mlp", Header));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("inputs[0].parameters.binary_data_size", problem.GetProperty("field").GetString());
        Assert.Contains("Inference-Header-Content-Length", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _inference.Requests);
    }

    [Fact]
    public async Task Infer_BinaryBodyAsTextPlain_Returns415()
    {
        var request = Binary(Header, new byte[16]);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, _inference.Requests);
    }

    private static HttpRequestMessage Binary(string header, byte[] tensor, string? headerLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var content = new ByteArrayContent([.. json, .. tensor]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/mlp/infer") { Content = content };
        request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", headerLength ?? json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return request;
    }
}
