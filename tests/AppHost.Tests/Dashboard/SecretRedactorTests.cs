using BenchPlatform.AppHost.Dashboard.Security;

namespace BenchPlatform.AppHost.Tests.Dashboard;

public sealed class SecretRedactorTests
{
    private const string Token = "9f2c1e5d7a3b4c6d8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b";
    private readonly SecretRedactor _redactor = new(() => [Token, "s3cr3t-pg"]);

    [Fact]
    public void Redact_KnownSecretAnywhere_IsMasked()
    {
        var text = _redactor.Redact($"calling with X-Internal-Token: {Token} now");

        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=5432;Username=postgres;Password=hunter2;Database=registry", "hunter2")]
    [InlineData("127.0.0.1:6379,password=hunter2,abortConnect=false", "hunter2")]
    [InlineData("Server=x;PWD=hunter2", "hunter2")]
    public void Redact_ConnectionStringPassword_IsMaskedRestKept(string connectionString, string password)
    {
        var text = _redactor.Redact(connectionString);

        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", text.Replace("Server=x", "127.0.0.1", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Internal__Token")]
    [InlineData("Gateway__ApiKeys__0__Key")]
    [InlineData("OPENAI_API_KEY")]
    [InlineData("Db__Password")]
    public void RedactVariable_SecretName_HidesTheWholeValue(string name)
    {
        Assert.Equal(SecretRedactor.Mask, _redactor.RedactVariable(name, "plain-looking-value"));
    }

    [Fact]
    public void RedactVariable_OrdinaryName_KeepsTheValue()
    {
        Assert.Equal("http://127.0.0.1:5001", _redactor.RedactVariable("ASPNETCORE_URLS", "http://127.0.0.1:5001"));
    }
}
