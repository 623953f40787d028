namespace BenchPlatform.Protocol.Problems;

/// <summary>
/// A caller's mistake: <see cref="Title"/> is the problem title, <see cref="Exception.Message"/> the detail that says
/// what to change, <see cref="Field"/> the request field or header at fault when there is one.
/// </summary>
public sealed class BadRequestException(string title, string detail, string? field = null) : Exception(detail)
{
    /// <summary>The problem title (one of <see cref="ProblemTitles"/>).</summary>
    public string Title { get; } = title;

    /// <summary>The request field or header at fault (<c>inputs[0].shape[1]</c>, <c>Inference-Header-Content-Length</c>), or null.</summary>
    public string? Field { get; } = field;
}
