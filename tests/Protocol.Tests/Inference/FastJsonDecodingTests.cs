using System.Globalization;
using System.Text;
using BenchPlatform.Protocol.Inference;
using BenchPlatform.Protocol.Problems;

namespace BenchPlatform.Protocol.Tests.Inference;

/// <summary>
/// The fast JSON data path against the general <see cref="System.Text.Json.Utf8JsonReader"/> path: for every datatype,
/// every accepted body decodes to the same bytes element for element, and every refused body fails with the same 400 detail.
/// </summary>
public sealed class FastJsonDecodingTests
{
    private static readonly string[] NumericTypes = ["FP32", "FP64", "FP16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL"];

    [Fact]
    public void Decode_RandomDecimalsInEveryNotation_FastEqualsGeneralBitForBit()
    {
        var random = new Random(20261123);
        var numbers = new List<string>
        {
            "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.30000000000000004", "1e-7", "1E+7", "1e22", "1e23", "9007199254740993",
            "9007199254740992.5", "123456789012345678901234567890", "0.000000000000000000000000000001", "4.9e-324", "2.2250738585072014E-308",
            "1.7976931348623157e308", "3.4028235e38", "3.4028236e38", "1.4e-45", "65504", "65520", "6.1e-5", "5.96e-8", "0.1e1", "100e-2",
            "1234567890123456789", "12345678901234567890", "0.12345678901234567890123",
        };
        for (var i = 0; i < 4000; i++)
        {
            var d = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-40, 40));
            numbers.Add((i % 5) switch
            {
                0 => d.ToString("R", CultureInfo.InvariantCulture),
                1 => d.ToString("E" + random.Next(0, 20), CultureInfo.InvariantCulture),
                2 => Math.Round(random.NextDouble() * 2 - 1, 4).ToString(CultureInfo.InvariantCulture),
                3 => ((float)d).ToString(CultureInfo.InvariantCulture),
                _ => RandomDigits(random),
            });
        }

        foreach (var type in (string[])["FP32", "FP64", "FP16"])
        {
            var body = Body(type, numbers.Count, "[" + string.Join(",", numbers) + "]");
            AssertSameDecoding(body);
        }
    }

    [Fact]
    public void Decode_IntegerBoundsOfEveryType_FastEqualsGeneral()
    {
        string[] integers =
        [
            "0", "-0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "32767", "32768", "-32768", "-32769", "65535", "65536",
            "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
            "99999999999999999999",
        ];
        foreach (var type in NumericTypes)
        {
            foreach (var value in integers)
            {
                AssertSameDecoding(Body(type, 1, $"[{value}]"));
            }
        }
    }

    [Theory]
    [InlineData("[1,2,3,4]")]
    [InlineData("[[1,2],[3,4]]")]
    [InlineData("[[1,2],3,[[4]]]")]
    [InlineData("[ 1 ,\n2\t,\r3 , 4 ]")]
    [InlineData("[1.0,2.5e0,-3E-1,4e+0]")]
    [InlineData("[\"NaN\",\"Infinity\",\"-Infinity\",1]")]
    [InlineData("[\"N\\u0061N\",1,2,3]")]
    [InlineData("[\"nan\",1,2,3]")]
    [InlineData("[NaN,1,2,3]")]
    [InlineData("[Infinity,1,2,3]")]
    [InlineData("[-Infinity,1,2,3]")]
    [InlineData("[1,,2,3]")]
    [InlineData("[1 2,3,4]")]
    [InlineData("[1,2,3,4,]")]
    [InlineData("[,1,2,3,4]")]
    [InlineData("[01,2,3,4]")]
    [InlineData("[1.,2,3,4]")]
    [InlineData("[.5,2,3,4]")]
    [InlineData("[+1,2,3,4]")]
    [InlineData("[1e,2,3,4]")]
    [InlineData("[1e400,2,3,4]")]
    [InlineData("[1,2,3]")]
    [InlineData("[1,2,3,4,5]")]
    [InlineData("[[1,2],[3,4],[]]")]
    [InlineData("[]")]
    [InlineData("[true,false,true,false]")]
    [InlineData("[1,null,3,4]")]
    [InlineData("[1,{},3,4]")]
    [InlineData("[1,2,3,4x]")]
    [InlineData("[1,2,3,4")]
    [InlineData("[1,2,3,4]]")]
    [InlineData("[1/*c*/,2,3,4]")]
    public void Decode_EdgeAndMalformedArrays_SameValuesOrSameError(string data)
    {
        foreach (var type in NumericTypes)
        {
            AssertSameDecoding(Body(type, 4, data));
        }
    }

    [Theory]
    [InlineData("""{"inputs":[{"data":[1,2,3,4],"name":"x","shape":[4],"datatype":"FP32"}]}""")]
    [InlineData("""{"inputs":[{"shape":[4],"datatype":"FP32","data":[1,2,3,4],"name":"x"}]}""")]
    [InlineData("""{"inputs":[{"shape":[4],"datatype":"FP32","data":[1,2,3,4]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4],"shape":[2,2]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4],"datatype":"INT32"}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4],"data":[5,6,7,8]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]},{"name":"y","shape":[2],"datatype":"INT64","data":[1,2]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]} {"name":"y"}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4],"name":3}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]}],"parameters":{"cache":1}}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]}]""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[0,4],"datatype":"FP32","data":[]}]}""")]
    [InlineData("""{"inputs":[{"name":"s","shape":[2],"datatype":"STRING","data":["a","b"]}]}""")]
    public void Decode_PropertyOrderAndDuplicates_SameAsGeneral(string body) => AssertSameDecoding(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Decode_BareNaN_IsRefusedWithTheNaNHint()
    {
        var error = Assert.Throws<BadRequestException>(() => InferBodyReader.Decode(Body("FP32", 2, "[NaN,1]")));

        Assert.Contains("NaN and Infinity are not JSON numbers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SyntaxErrorAfterAFastArray_NamesTheTruePosition()
    {
        var body = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,2,3,4]}],"id":}""");

        var error = Assert.Throws<BadRequestException>(() => InferBodyReader.Decode(body));
        var general = Assert.Throws<BadRequestException>(() => InferBodyReader.Decode(body, null, fastData: false));

        Assert.Equal(general.Message, error.Message);
        Assert.Contains($"BytePositionInLine: {Encoding.UTF8.GetString(body).IndexOf(":}", StringComparison.Ordinal) + 1}", error.Message, StringComparison.Ordinal);
    }

    private static string RandomDigits(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(2) == 0)
        {
            text.Append('-');
        }

        text.Append(random.Next(1, 10));
        for (var i = random.Next(0, 25); i > 0; i--)
        {
            text.Append(random.Next(10));
        }

        if (random.Next(2) == 0)
        {
            text.Append('.').Append(random.Next(0, 1_000_000));
        }

        if (random.Next(3) == 0)
        {
            text.Append('e').Append(random.Next(-30, 30));
        }

        return text.ToString();
    }

    private static byte[] Body(string type, int count, string data) =>
        Encoding.UTF8.GetBytes($$$"""{"inputs":[{"name":"x","shape":[{{{count}}}],"datatype":"{{{type}}}","data":{{{data}}}}],"parameters":{"cache":false}}""");

    private static void AssertSameDecoding(byte[] body)
    {
        InferRequest? fast = null, general = null;
        BadRequestException? fastError = null, generalError = null;
        try
        {
            try
            {
                fast = InferBodyReader.Decode(body);
            }
            catch (BadRequestException ex)
            {
                fastError = ex;
            }

            try
            {
                general = InferBodyReader.Decode(body, null, fastData: false);
            }
            catch (BadRequestException ex)
            {
                generalError = ex;
            }

            var text = Encoding.UTF8.GetString(body);
            Assert.True((fast is null) == (general is null), $"{text}: fast {fastError?.Message ?? "accepted"}, general {generalError?.Message ?? "accepted"}");
            if (general is null)
            {
                Assert.Equal(generalError!.Message, fastError!.Message);
                return;
            }

            Assert.Equal(general.Inputs.Count, fast!.Inputs.Count);
            for (var i = 0; i < general.Inputs.Count; i++)
            {
                var (a, b) = (general.Inputs[i], fast.Inputs[i]);
                Assert.Equal(a.Name, b.Name);
                Assert.Equal(a.DataType, b.DataType);
                Assert.Equal(a.Shape, b.Shape);
                Assert.Equal(a.Strings, b.Strings);
                Assert.True(a.Strings is not null || a.Bytes.SequenceEqual(b.Bytes), $"{text}: element bytes differ for input {a.Name}");
            }
        }
        finally
        {
            fast?.Dispose();
            general?.Dispose();
        }
    }
}
