using System.Collections.Frozen;
using System.Reflection;
using System.Text;

namespace BenchPlatform.Protocol.Problems;

/// <summary>
/// The RFC 9457 <c>type</c> of every problem: <c>/docs/api.md#</c> and the anchor of the problem's section in the API
/// reference, derived from its title (<see cref="ProblemTitles"/>). docs/api.md (Errors) says why the form is a reference.
/// </summary>
public static class ProblemTypes
{
    /// <summary>The API reference, as a path from the repository root.</summary>
    public const string ReferencePage = "/docs/api.md";

    /// <summary>The type of a problem that has no section of its own (RFC 9457's default).</summary>
    public const string Unlisted = "about:blank";

    private static readonly FrozenDictionary<string, string> TypeByTitle = typeof(ProblemTitles)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral)
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToFrozenDictionary(title => title, title => ReferencePage + "#" + AnchorOf(title), StringComparer.Ordinal);

    /// <summary>Every problem title with its type.</summary>
    public static IReadOnlyDictionary<string, string> All => TypeByTitle;

    /// <summary>The type of the problem titled <paramref name="title"/>; <see cref="Unlisted"/> for a title not in <see cref="ProblemTitles"/>.</summary>
    public static string Of(string? title) => TryGet(title, out var type) ? type : Unlisted;

    /// <summary>The type of the problem titled <paramref name="title"/>, when <see cref="ProblemTitles"/> lists the title.</summary>
    public static bool TryGet(string? title, out string type)
    {
        if (title is not null && TypeByTitle.TryGetValue(title, out var listed))
        {
            type = listed;
            return true;
        }

        type = Unlisted;
        return false;
    }

    /// <summary>A title's anchor as GitHub writes heading anchors: lower case, spaces to hyphens, other punctuation dropped.</summary>
    public static string AnchorOf(string title)
    {
        var anchor = new StringBuilder(title.Length);
        foreach (var c in title)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                anchor.Append(char.ToLowerInvariant(c));
            }
            else if (c == ' ')
            {
                anchor.Append('-');
            }
        }

        return anchor.ToString();
    }
}
