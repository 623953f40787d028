using System.Globalization;
using System.Text;

namespace BenchPlatform.Bench.ProtocolReader;

/// <summary>The benchmark bodies: sample-MLP (MNIST) rows of 784 FP32 values in [-1, 1], as a client sends them.</summary>
public static class InferBodies
{
    /// <summary>An infer body of <paramref name="rows"/> × 784 FP32 values (seeded, so every run reads the same bytes).</summary>
    public static byte[] Mnist(int rows)
    {
        var random = new Random(7);
        var data = new StringBuilder();
        for (var i = 0; i < rows * 784; i++)
        {
            data.Append(i == 0 ? "" : ",").Append((random.NextDouble() * 2 - 1).ToString("0.####", CultureInfo.InvariantCulture));
        }

        return Encoding.UTF8.GetBytes(
            $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[{rows},784],\"datatype\":\"FP32\",\"data\":[{data}]}}],\"parameters\":{{\"cache\":false}}}}");
    }
}
