namespace BenchPlatform.AppHost.Publishing;

/// <summary>The outcome of parsing <c>publish</c>'s arguments: options, a request for help, or the mistakes found.</summary>
internal sealed record PublishParseResult(PublishOptions? Options, bool HelpRequested, IReadOnlyList<string> Errors)
{
    public static PublishParseResult Ok(PublishOptions options) => new(options, false, []);

    public static PublishParseResult Help() => new(null, true, []);

    public static PublishParseResult Failed(IReadOnlyList<string> errors) => new(null, false, errors);
}
