using System.Text;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The stdout and stderr of one process (a server or a replica), bounded: the last lines in memory and
/// a file under the state folder that is rotated (one old file kept) when it grows past its limit.
/// </summary>
public sealed class ResourceLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LogLine[] _ring;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _time;
    private long _count;
    private FileStream _file;

    /// <summary>Creates the log of <paramref name="name"/>, appending to <paramref name="path"/>.</summary>
    public ResourceLog(string name, string path, int maxLines, long maxFileBytes, TimeProvider time)
    {
        Name = name;
        FilePath = path;
        _ring = new LogLine[Math.Max(1, maxLines)];
        _maxFileBytes = maxFileBytes;
        _time = time;
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _file = Open(path);
    }

    /// <summary>The process name (e.g. <c>inference-0</c>).</summary>
    public string Name { get; }

    /// <summary>The file on disk.</summary>
    public string FilePath { get; }

    /// <summary>Raised for every appended line (the dashboard streams it).</summary>
    public event Action<LogLine>? LineAppended;

    /// <summary>Adds a line.</summary>
    public void Append(string text)
    {
        var line = new LogLine(_time.GetUtcNow(), text);
        lock (_lock)
        {
            _ring[_count % _ring.Length] = line;
            _count++;
            var bytes = Encoding.UTF8.GetBytes($"{line.Timestamp:O} {text}\n");
            if (_file.Length + bytes.Length > _maxFileBytes)
            {
                Rotate();
            }

            _file.Write(bytes);
            _file.Flush();
        }

        LineAppended?.Invoke(line);
    }

    /// <summary>The lines kept in memory, oldest first.</summary>
    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_lock)
        {
            var kept = (int)Math.Min(_count, _ring.Length);
            var result = new LogLine[kept];
            for (var i = 0; i < kept; i++)
            {
                result[i] = _ring[(_count - kept + i) % _ring.Length];
            }

            return result;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines as text, for error messages.</summary>
    public string Tail(int lines)
    {
        var all = Snapshot();
        return string.Join('\n', all.Skip(Math.Max(0, all.Count - lines)).Select(l => l.Text));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _file.Dispose();
        }
    }

    private void Rotate()
    {
        _file.Dispose();
        File.Move(FilePath, FilePath + ".1", overwrite: true);
        _file = Open(FilePath);
    }

    private static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
}
