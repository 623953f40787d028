using System.Globalization;
using BenchPlatform.Protocol.Tensors;

namespace BenchPlatform.Protocol.Inference;

/// <summary>
/// Narrows a decoded JSON number to a tensor's float type. A number beyond the type's range is refused rather than
/// stored as an infinity (as Triton's parser does); only the named strings <c>"Infinity"</c>/<c>"-Infinity"</c> ask for one.
/// </summary>
internal static class FloatRange
{
    /// <summary>
    /// <paramref name="value"/> as <typeparamref name="T"/> (float, double or Half); false when <paramref name="d"/> came
    /// from a number (not <paramref name="named"/>) that is infinite in <typeparamref name="T"/>.
    /// </summary>
    public static bool TryNarrow<T>(double d, bool named, out T value) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            var f = (float)d;
            value = (T)(object)f;
            return named || float.IsFinite(f);
        }

        if (typeof(T) == typeof(double))
        {
            value = (T)(object)d;
            return named || double.IsFinite(d);
        }

        var h = (Half)d;
        value = (T)(object)h;
        return named || Half.IsFinite(h);
    }

    /// <summary>The largest finite magnitude of a float datatype, as written in a message; null for other types.</summary>
    public static string? Limit(TensorDataType type) => type switch
    {
        TensorDataType.Fp16 => ((double)Half.MaxValue).ToString(CultureInfo.InvariantCulture),
        TensorDataType.Fp32 => float.MaxValue.ToString(CultureInfo.InvariantCulture),
        TensorDataType.Fp64 => double.MaxValue.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
