namespace BenchPlatform.LoadTests.Engine;

/// <summary>"HTTP 503" and the like, made once per status code, so counting failures by message allocates nothing.</summary>
internal static class HttpStatusText
{
    private static readonly string[] Texts = CreateTexts();

    public static string Of(int status) => status is >= 100 and < 600 ? Texts[status - 100] : $"HTTP {status}";

    private static string[] CreateTexts()
    {
        var texts = new string[500];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = $"HTTP {i + 100}";
        }

        return texts;
    }
}
