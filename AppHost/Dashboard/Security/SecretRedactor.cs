using System.Text.RegularExpressions;

namespace BenchPlatform.AppHost.Dashboard.Security;

/// <summary>
/// Hides secrets before the dashboard shows text: every known secret value (passwords, the internal token, the
/// login token) wherever it appears, <c>password=</c> parts of connection strings, and the values of variables
/// whose names say they hold a secret.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a hidden value is shown as.</summary>
    public const string Mask = "••••••";

    private readonly Func<IEnumerable<string>> _secrets;

    /// <summary>Redacts the values <paramref name="secrets"/> returns (read on every call: some are known only after start).</summary>
    public SecretRedactor(Func<IEnumerable<string>> secrets)
    {
        _secrets = secrets;
    }

    /// <summary>The text with every known secret and every connection-string password masked.</summary>
    public string Redact(string text)
    {
        foreach (var secret in _secrets())
        {
            if (secret.Length >= 4 && text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return PasswordPart().Replace(text, m => m.Groups[1].Value + "=" + Mask);
    }

    /// <summary>The value of environment variable <paramref name="name"/> as the dashboard may show it.</summary>
    public string RedactVariable(string name, string value) =>
        SecretName().IsMatch(name) ? Mask : Redact(value);

    [GeneratedRegex(@"(?i)\b(password|pwd)=[^;,\s]*")]
    private static partial Regex PasswordPart();

    [GeneratedRegex(@"(?i)(token|password|secret|apikey|api_key|keys?__|credential)")]
    private static partial Regex SecretName();
}
