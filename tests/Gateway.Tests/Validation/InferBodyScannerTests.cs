using System.Text;
using System.Text.Json;
using BenchPlatform.Gateway.Validation;

namespace BenchPlatform.Gateway.Tests.Validation;

/// <summary>The allocation-free infer scan never calls a body valid that the full rules reject.</summary>
public sealed class InferBodyScannerTests
{
    [Theory]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")]
    [InlineData("{\"id\":\"r1\",\"inputs\":[{\"data\":[[1,2],[3,4]],\"datatype\":\"INT64\",\"shape\":[2,2],\"name\":\"x\",\"parameters\":{}}],\"outputs\":[{\"name\":\"y\"}],\"parameters\":{\"a\":1}}")]
    [InlineData("{\"inputs\":[{\"name\":\"b\",\"shape\":[2],\"datatype\":\"BOOL\",\"data\":[true,false]},{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[0,4],\"datatype\":\"FP32\",\"data\":[]}],\"id\":null,\"parameters\":null}")]
    public void Scan_ValidBody_IsCertainlyValidAndAgreesWithRules(string json)
    {
        Assert.True(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(json)));
        using var document = JsonDocument.Parse(json);
        Assert.Null(JsonBodyRules.Check(BodyKind.Infer, document.RootElement));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"inputs\": [ {\"name\": \"x\" ,, ] }")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} {}")]
    [InlineData("{}")]
    [InlineData("{\"inputs\":[]}")]
    [InlineData("{\"inputs\":{}}")]
    [InlineData("{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP33\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,-4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1.5],\"datatype\":\"FP32\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,\"two\"]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[null]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[{}]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\"}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":[{}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"parameters\":[1]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"id\":5}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[4294967296,4294967296],\"datatype\":\"FP32\",\"data\":[1]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"inputs\":[]}")]
    public void Scan_DoubtfulBody_IsNotCertainlyValid(string json)
    {
        Assert.False(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(json)));
    }
}
