using System.Runtime.InteropServices;
using System.Text.Json;
using BenchPlatform.LoadTests.Scenarios;

namespace BenchPlatform.LoadTests.Tests.Scenarios;

/// <summary>Generated infer bodies: the binary tensor data form carries the same elements as the JSON form.</summary>
public sealed class InferBodyTests
{
    private static readonly ModelInput[] Inputs =
    [
        new("x", "FP32", [-1, 4]), new("ids", "INT64", [-1, 2]), new("s", "STRING", [-1, 1]), new("m", "BOOL", [-1, 1]),
    ];

    [Fact]
    public void BuildBinary_ThreeRows_HeaderSizesAddUpAndElementsEqualTheJsonBody()
    {
        var body = InferBody.BuildBinary(Inputs, 3, 512, 16000, useCache: false, out var headerLength);
        using var header = JsonDocument.Parse(body.AsMemory(0, headerLength));
        using var json = JsonDocument.Parse(InferBody.Build(Inputs, 3, 512, 16000, useCache: false));

        var inputs = header.RootElement.GetProperty("inputs");
        var sizes = inputs.EnumerateArray().Select(i => i.GetProperty("parameters").GetProperty("binary_data_size").GetInt32()).ToArray();
        Assert.Equal([48, 48, 15, 3], sizes);
        Assert.Equal(headerLength + sizes.Sum(), body.Length);
        Assert.Equal("[3,4]", inputs[0].GetProperty("shape").GetRawText());
        Assert.False(inputs[0].TryGetProperty("data", out _));
        Assert.False(header.RootElement.GetProperty("parameters").GetProperty("cache").GetBoolean());

        var expectedFloats = json.RootElement.GetProperty("inputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expectedFloats, MemoryMarshal.Cast<byte, float>(body.AsSpan(headerLength, 48)).ToArray());
        Assert.Equal([16000L, 16000, 16000, 16000, 16000, 16000], MemoryMarshal.Cast<byte, long>(body.AsSpan(headerLength + 48, 48)).ToArray());
        Assert.Equal(new byte[] { 1, 0, 0, 0, (byte)'x' }, body.AsSpan(headerLength + 96, 5).ToArray());
        Assert.Equal(new byte[] { 1, 0, 1 }, body.AsSpan(headerLength + 111, 3).ToArray());
    }
}
