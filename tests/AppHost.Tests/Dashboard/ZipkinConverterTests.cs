using System.Text;
using BenchPlatform.AppHost.Dashboard.Traces;

namespace BenchPlatform.AppHost.Tests.Dashboard;

public sealed class ZipkinConverterTests
{
    // The shape OpenTelemetry .NET's Zipkin exporter sends (a gateway server span and its client span).
    private const string ExporterBatch = """
        [
          {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"POST /v2/models/{model}/infer","id":"00f067aa0ba902b7","kind":"SERVER",
           "timestamp":1795462252360797,"duration":3534,"localEndpoint":{"serviceName":"gateway"},
           "tags":{"http.request.method":"POST","http.route":"/v2/models/{model}/infer","http.response.status_code":"200","server.port":"8080"}},
          {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"POST","id":"b7ad6b7169203331","parentId":"00f067aa0ba902b7","kind":"CLIENT",
           "timestamp":1795462252361000,"duration":2900,"localEndpoint":{"serviceName":"gateway"},"remoteEndpoint":{"ipv4":"127.0.0.1","port":5001},
           "tags":{"otel.status_code":"ERROR","error":"connection refused"},"annotations":[{"timestamp":1795462252362000,"value":"retry"}]}
        ]
        """;

    [Fact]
    public void Parse_ExporterBatch_ReadsIdsTimesServiceAndTags()
    {
        var spans = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(ExporterBatch), out var error);

        Assert.Null(error);
        Assert.NotNull(spans);
        Assert.Equal(2, spans.Count);
        var server = spans[0];
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", server.TraceId);
        Assert.Equal("00f067aa0ba902b7", server.SpanId);
        Assert.Null(server.ParentId);
        Assert.Equal("SERVER", server.Kind);
        Assert.Equal("gateway", server.Service);
        Assert.Equal(1795462252360797, server.StartUs);
        Assert.Equal(3534, server.DurationUs);
        Assert.Equal("/v2/models/{model}/infer", server.Route);
        Assert.Equal(200, server.StatusCode);
        Assert.False(server.Error);
        Assert.Equal("00f067aa0ba902b7", spans[1].ParentId);
        Assert.True(spans[1].Error);
    }

    [Fact]
    public void Parse_UpperCaseIdsAndNoKind_NormalizesToLowerCaseAndInternal()
    {
        var json = """[{"traceId":"ABCDEF0123456789","id":"0123456789ABCDEF","name":"work","timestamp":1,"duration":2}]""";

        var spans = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(json), out _);

        Assert.Equal("abcdef0123456789", spans![0].TraceId);
        Assert.Equal("0123456789abcdef", spans[0].SpanId);
        Assert.Equal("INTERNAL", spans[0].Kind);
        Assert.Equal("unknown", spans[0].Service);
    }

    [Fact]
    public void Parse_ServerSpanWith5xx_IsAnError()
    {
        var json = """[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7","kind":"SERVER","timestamp":1,"duration":2,"tags":{"http.response.status_code":"503"}}]""";

        var spans = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(json), out _);

        Assert.True(spans![0].Error);
    }

    [Theory]
    [InlineData("not json", "not a Zipkin v2 JSON array")]
    [InlineData("{\"traceId\":\"x\"}", "not a Zipkin v2 JSON array")]
    [InlineData("null", "JSON null")]
    [InlineData("[null]", "Span 0: is null")]
    [InlineData("[{\"traceId\":\"xyz\",\"id\":\"00f067aa0ba902b7\",\"timestamp\":1}]", "Span 0: 'traceId' must be 16 or 32 hex")]
    [InlineData("[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"id\":\"00f0\",\"timestamp\":1}]", "Span 0: 'id' must be 16 hex")]
    [InlineData("[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"id\":\"00f067aa0ba902b7\",\"parentId\":\"zz\",\"timestamp\":1}]", "'parentId' must be 16 hex")]
    [InlineData("[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"id\":\"00f067aa0ba902b7\"}]", "'timestamp'")]
    [InlineData("[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"id\":\"00f067aa0ba902b7\",\"timestamp\":1,\"duration\":-5}]", "'duration'")]
    public void Parse_InvalidBody_ReturnsNullAndSaysWhatToChange(string json, string expected)
    {
        var spans = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(json), out var error);

        Assert.Null(spans);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyLongTags_KeepsABoundedNumberOfBoundedValues()
    {
        var tags = string.Join(',', Enumerable.Range(0, 200).Select(i => $"\"k{i}\":\"{new string('v', 5000)}\""));
        var json = """[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7","timestamp":1,"tags":{""" + tags + "}}]";

        var span = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(json), out _)![0];

        Assert.Equal(ZipkinConverter.MaxTagsPerSpan, span.Tags.Count);
        Assert.All(span.Tags.Values, v => Assert.Equal(ZipkinConverter.MaxTagValueLength, v.Length));
    }

    [Fact]
    public void Parse_TwoBatches_ShareOneCopyOfRepeatedNamesKeysAndShortValues()
    {
        var first = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(ExporterBatch), out _)![0];
        var second = ZipkinConverter.Parse(Encoding.UTF8.GetBytes(ExporterBatch), out _)![0];

        Assert.NotSame(first, second);
        Assert.Same(first.Service, second.Service);
        Assert.Same(first.Name, second.Name);
        Assert.All(first.Tags.Zip(second.Tags), pair =>
        {
            Assert.Same(pair.First.Key, pair.Second.Key);
            Assert.Same(pair.First.Value, pair.Second.Value);
        });
    }
}
