using System.Globalization;
using System.Net;
using System.Text;

namespace BenchPlatform.LoadTests.Reports;

/// <summary>A small self-contained SVG chart (axes, ticks, series), so the HTML report needs no script or network.</summary>
internal sealed class SvgChart
{
    private const int Width = 720;
    private const int Height = 300;
    private const int Left = 64;
    private const int Right = 140;
    private const int Top = 28;
    private const int Bottom = 44;
    private readonly StringBuilder _body = new();
    private readonly List<(string Name, string Color)> _legend = [];
    private readonly string _title;
    private readonly string _xLabel;
    private readonly string _yLabel;
    private readonly double _xMin;
    private readonly double _xMax;
    private readonly double _yMin;
    private readonly double _yMax;
    private readonly bool _logX;

    public SvgChart(string title, string xLabel, string yLabel, double xMin, double xMax, double yMin, double yMax, bool logX = false)
    {
        _title = title;
        _xLabel = xLabel;
        _yLabel = yLabel;
        _xMin = xMin;
        _xMax = xMax <= xMin ? xMin + 1 : xMax;
        _yMin = yMin;
        _yMax = yMax <= yMin ? yMin + 1 : yMax * 1.05;
        _logX = logX;
    }

    public static string Colour(string name) => name switch
    {
        "cold" => "#d62728",
        "cache_hit" => "#2ca02c",
        "error" => "#111111",
        "all" => "#7f7f7f",
        "uncorrected" => "#ff7f0e",
        "ready" => "#1f77b4",
        "desired" => "#9467bd",
        _ => "#1f77b4",
    };

    public void Points(string name, IEnumerable<(double X, double Y)> points, double radius)
    {
        var colour = Colour(name);
        _legend.Add((name, colour));
        foreach (var (x, y) in points)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(x):0.#}\" cy=\"{Y(y):0.#}\" r=\"{radius}\" fill=\"{colour}\" fill-opacity=\"0.7\"/>");
        }
    }

    public void Line(string name, IReadOnlyList<(double X, double Y)> points, bool dashed = false, bool step = false)
    {
        if (points.Count == 0)
        {
            return;
        }

        var colour = Colour(name);
        _legend.Add((name, colour));
        _body.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(colour).Append('"');
        if (dashed)
        {
            _body.Append(" stroke-dasharray=\"6 4\"");
        }

        _body.Append(" points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            if (step && i > 0)
            {
                _body.Append(CultureInfo.InvariantCulture, $"{X(points[i].X):0.#},{Y(points[i - 1].Y):0.#} ");
            }

            _body.Append(CultureInfo.InvariantCulture, $"{X(points[i].X):0.#},{Y(points[i].Y):0.#} ");
        }

        _body.Append("\"/>");
    }

    public void Bars(string name, IReadOnlyList<(double X, double Y)> bars, double width)
    {
        var colour = Colour(name);
        _legend.Add((name, colour));
        foreach (var (x, y) in bars)
        {
            var x0 = X(x);
            var x1 = X(x + width);
            _body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0:0.#}\" y=\"{Y(y):0.#}\" width=\"{Math.Max(1, x1 - x0 - 1):0.#}\" height=\"{Math.Max(0, Y(_yMin) - Y(y)):0.#}\" fill=\"{colour}\"/>");
        }
    }

    public string Render()
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{WebUtility.HtmlEncode(_title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
        for (var i = 0; i <= 5; i++)
        {
            var yValue = _yMin + ((_yMax - _yMin) * i / 5);
            var y = Y(yValue);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e5e5e5\"/><text x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Format(yValue)}</text>");
        }

        foreach (var xValue in XTicks())
        {
            var x = X(xValue);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#e5e5e5\"/><text x=\"{x:0.#}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\">{(_logX ? PercentileLabel(xValue) : Format(xValue))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(_xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14,{(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(_yLabel)}</text>");
        svg.Append(_body);
        var legendY = Top + 10;
        foreach (var (name, colour) in _legend.DistinctBy(l => l.Name))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 10}\" y=\"{legendY - 8}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{Width - Right + 24}\" y=\"{legendY + 1}\">{WebUtility.HtmlEncode(name)}</text>");
            legendY += 16;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private IEnumerable<double> XTicks()
    {
        if (_logX)
        {
            // x is log10(1 / (1 - p)): 0 = p0, 1 = p90, 2 = p99, 3 = p99.9 …
            for (var d = Math.Ceiling(_xMin); d <= _xMax; d++)
            {
                yield return d;
            }

            yield break;
        }

        for (var i = 0; i <= 6; i++)
        {
            yield return _xMin + ((_xMax - _xMin) * i / 6);
        }
    }

    private static string PercentileLabel(double x) => x switch
    {
        0 => "p0",
        1 => "p90",
        2 => "p99",
        3 => "p99.9",
        4 => "p99.99",
        5 => "p99.999",
        _ => $"{100 * (1 - Math.Pow(10, -x)):0.####}",
    };

    private static string Format(double value) => Math.Abs(value) >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    private double X(double x) => Left + ((x - _xMin) / (_xMax - _xMin) * (Width - Left - Right));

    private double Y(double y) => Height - Bottom - ((Math.Clamp(y, _yMin, _yMax) - _yMin) / (_yMax - _yMin) * (Height - Top - Bottom));
}
