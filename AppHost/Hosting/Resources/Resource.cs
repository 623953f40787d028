namespace BenchPlatform.AppHost.Hosting.Resources;

/// <summary>Something the AppHost runs: a server or a project, named once in the topology.</summary>
public abstract class Resource
{
    /// <summary>Creates a resource named <paramref name="name"/> (lower-case letters, digits and '-').</summary>
    protected Resource(string name)
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"Resource name '{name}' must be lower-case letters, digits and '-'.", nameof(name));
        }

        Name = name;
    }

    /// <summary>The name services see in configuration keys and logs.</summary>
    public string Name { get; }

    /// <summary>Resources that must be ready before this one starts.</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <inheritdoc />
    public override string ToString() => Name;
}
