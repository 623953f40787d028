using System.Text.RegularExpressions;
using BenchPlatform.Protocol.Problems;
using BenchPlatform.TestCommon;

namespace BenchPlatform.Protocol.Tests.Problems;

public sealed partial class ProblemTypesTests
{
    private static readonly string ApiReference = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "api.md"));

    [Fact]
    public void EveryType_HasItsOneAnchorInDocsApiMd()
    {
        var missing = new List<string>();
        foreach (var (title, type) in ProblemTypes.All)
        {
            var anchor = type[(ProblemTypes.ReferencePage.Length + 1)..];
            var rows = ApiReference.Split('\n').Count(line => line.Contains($"<a id=\"{anchor}\"></a>{title} |", StringComparison.Ordinal));
            if (rows != 1)
            {
                missing.Add($"{title} (#{anchor}): {rows} rows");
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void TypeAnchors_ClashWithNoHeadingOfDocsApiMd()
    {
        var headingAnchors = HeadingPattern().Matches(ApiReference)
            .Select(match => ProblemTypes.AnchorOf(match.Groups[1].Value.Replace("`", "", StringComparison.Ordinal)))
            .ToHashSet();

        var clashes = ProblemTypes.All.Values.Select(type => type.Split('#')[1]).Where(headingAnchors.Contains).ToList();
        Assert.True(clashes.Count == 0, $"Problem anchors that a heading of docs/api.md also has: {string.Join(", ", clashes)}");
    }

    [Fact]
    public void Of_ATitle_IsTheReferencePageWithTheTitlesAnchor()
    {
        Assert.Equal("/docs/api.md#invalid-inference-request", ProblemTypes.Of(ProblemTitles.InvalidInferenceRequest));
        Assert.Equal("/docs/api.md#invalid-max_batch_size", ProblemTypes.Of(ProblemTitles.InvalidMaxBatchSize));
        Assert.Equal("/docs/api.md#invalid-utf-8", ProblemTypes.Of(ProblemTitles.InvalidUtf8));
        Assert.Equal("about:blank", ProblemTypes.Of("Not a listed title"));
    }

    [Fact]
    public void Docs_PointAtDocsApiMd_NeverAtAnUpperCaseApiMd()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md")
            .Append(Path.Combine(RepoPaths.Root, "README.md"))
            .Where(path => File.ReadAllText(path).Contains("API.md", StringComparison.Ordinal));

        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"^#+ (.+)$", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();
}
