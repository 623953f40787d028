using System.Text;
using System.Text.Json;
using BenchPlatform.Gateway.Validation;

namespace BenchPlatform.Gateway.Tests.Validation;

/// <summary>
/// The numeric data fast path accepts exactly the arrays of numbers that <see cref="Utf8JsonReader"/> accepts, counts
/// them as the reader does, and never says yes to anything the reader would refuse.
/// </summary>
public sealed class NumberArrayScannerTests
{
    [Theory]
    [InlineData("[]", 0)]
    [InlineData("[ ]", 0)]
    [InlineData("[[],[ ]]", 0)]
    [InlineData("[0]", 1)]
    [InlineData("[-0]", 1)]
    [InlineData("[1,-2,3.25,-0.5,1e5,1E+5,2e-3,0.0e0,123456789012345678901234567890]", 9)]
    [InlineData("[[1,2],[3,4]]", 4)]
    [InlineData(" [ [ 1 , 2 ] ,\n[\t3\r, 4 ] ] ", -1)]
    [InlineData("[ [ 1 , 2 ] ,\n[\t3\r, 4 ] ]", 4)]
    [InlineData("[[[[[[1]]]]]]", 1)]
    public void Scan_ArrayOfNumbers_CountsThemAndEndsAtTheClosingBracket(string array, long expected)
    {
        var bytes = Encoding.UTF8.GetBytes(array + ",\"next\":1}");
        var length = NumberArrayScanner.Scan(bytes, out var numbers);
        if (expected < 0)
        {
            Assert.Equal(-1, length);
            return;
        }

        Assert.Equal(array.Length, length);
        Assert.Equal(expected, numbers);
    }

    [Theory]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[.5]")]
    [InlineData("[+1]")]
    [InlineData("[1e]")]
    [InlineData("[1e+]")]
    [InlineData("[-]")]
    [InlineData("[--1]")]
    [InlineData("[1.e5]")]
    [InlineData("[1,]")]
    [InlineData("[,1]")]
    [InlineData("[1 2]")]
    [InlineData("[1,,2]")]
    [InlineData("[[1]")]
    [InlineData("[1")]
    [InlineData("[NaN]")]
    [InlineData("[\"NaN\"]")]
    [InlineData("[true]")]
    [InlineData("[null]")]
    [InlineData("[{}]")]
    [InlineData("[1/*c*/]")]
    [InlineData("[1x]")]
    [InlineData("[0x10]")]
    [InlineData("[1.5.2]")]
    [InlineData("[\u00a01]")]
    public void Scan_AnythingButWellFormedNumbers_LeavesTheDecisionToTheReader(string array)
    {
        Assert.Equal(-1, NumberArrayScanner.Scan(Encoding.UTF8.GetBytes(array + "}"), out _));
    }

    [Fact]
    public void Scan_DeeperThanItsBound_LeavesTheDecisionToTheReader()
    {
        var deep = new string('[', NumberArrayScanner.MaxDepth + 1) + "1" + new string(']', NumberArrayScanner.MaxDepth + 1);
        var bound = new string('[', NumberArrayScanner.MaxDepth) + "1" + new string(']', NumberArrayScanner.MaxDepth);

        Assert.Equal(-1, NumberArrayScanner.Scan(Encoding.UTF8.GetBytes(deep), out _));
        Assert.Equal(bound.Length, NumberArrayScanner.Scan(Encoding.UTF8.GetBytes(bound), out _));
    }

    /// <summary>Thousands of one-byte mutations of a valid array: wherever the scanner says yes, the reader agrees.</summary>
    [Fact]
    public void Scan_MutatedArrays_NeverAcceptsWhatTheReaderRefusesAndCountsAsItDoes()
    {
        const string Valid = "[[1.5,-2e-3,0],[ 10 , 0.25E+2 ,-0.0],[7,8,9e9]]";
        var alphabet = "0123456789-+.eE,[] \n\"atx/"u8.ToArray();
        var random = new Random(20261203);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Valid);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(bytes.Length);
                bytes[at] = alphabet[random.Next(alphabet.Length)];
            }

            var length = NumberArrayScanner.Scan(bytes, out var numbers);
            if (length < 0)
            {
                continue;
            }

            accepted++;
            var (readerAccepts, readerNumbers) = ReadWithReader(bytes.AsSpan(0, length));
            Assert.True(readerAccepts, $"The scanner accepted what the reader refuses: {Encoding.UTF8.GetString(bytes)}");
            Assert.Equal(readerNumbers, numbers);
        }

        Assert.InRange(accepted, 100, 19_999);
    }

    [Fact]
    public void IsCertainlyValid_NumericDataOnTheFastPath_AgreesWithTheRulesAndCountsAgainstTheShape()
    {
        const string Body = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[[1,2],[3,4]]},"
            + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[3],\"data\":[5,6,7],\"parameters\":{}}],\"outputs\":[{\"name\":\"y\"}]}";

        Assert.True(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(Body)));
        using var document = JsonDocument.Parse(Body);
        Assert.Null(JsonBodyRules.Check(BodyKind.Infer, document.RootElement));

        Assert.False(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(Body.Replace("[5,6,7]", "[5,6]"))));
        Assert.False(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(Body.Replace("[5,6,7]", "[5,6,07]"))));
        Assert.False(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(Body.Replace("[[1,2],[3,4]]", "[[1,2],[3,4]"))));
        Assert.False(InferBodyScanner.IsCertainlyValid(Encoding.UTF8.GetBytes(Body.Replace("\"outputs\"", "\"outputs\",\"x\""))));
    }

    private static (bool Accepts, long Numbers) ReadWithReader(ReadOnlySpan<byte> array)
    {
        try
        {
            var reader = new Utf8JsonReader(array, isFinalBlock: true, state: default);
            long numbers = 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number)
                {
                    numbers++;
                }
                else if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
                {
                    return (false, 0);
                }
            }

            return (true, numbers);
        }
        catch (JsonException)
        {
            return (false, 0);
        }
    }
}
