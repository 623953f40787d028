using System.Buffers;

namespace BenchPlatform.SandboxRunner.Jail;

/// <summary>Everything one run sent back, in buffers rented from the shared pool; dispose to return them.</summary>
internal sealed class JailOutcome : IDisposable
{
    private byte[]? _result;
    private byte[]? _stdout;
    private byte[]? _stderr;

    public JailOutcome(JailMeta meta, byte[] result, byte[] stdout, byte[] stderr)
    {
        Meta = meta;
        _result = result;
        _stdout = stdout;
        _stderr = stderr;
    }

    public JailMeta Meta { get; }

    /// <summary>The run child's result JSON (untrusted: the block could have written it).</summary>
    public ReadOnlySpan<byte> Result => _result.AsSpan(0, Meta.Sizes.Result);

    public ReadOnlySpan<byte> Stdout => _stdout.AsSpan(0, Meta.Sizes.Stdout);

    public ReadOnlySpan<byte> Stderr => _stderr.AsSpan(0, Meta.Sizes.Stderr);

    /// <summary>True when the OOM killer acted during the run (set by the pool from the jail's cgroup).</summary>
    public bool OomKilled { get; set; }

    public void Dispose()
    {
        Return(ref _result);
        Return(ref _stdout);
        Return(ref _stderr);
    }

    private static void Return(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            buffer = null;
        }
    }
}
