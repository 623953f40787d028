namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Append-only store of request records, written concurrently by completing requests without locks
/// (an index taken with <see cref="Interlocked"/>, chunks allocated once and reused for the run).
/// </summary>
public sealed class RecordBuffer
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;
    private RequestRecord[]?[] _chunks = new RequestRecord[]?[64];
    private readonly Lock _grow = new();
    private long _count;
    private long _published;

    /// <summary>Records written so far.</summary>
    public long Count => Interlocked.Read(ref _published);

    /// <summary>Adds one record; safe from any thread.</summary>
    public void Add(in RequestRecord record)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        var chunkIndex = (int)(index >> ChunkBits);
        var chunk = EnsureChunk(chunkIndex);
        chunk[index & (ChunkSize - 1)] = record;
        Interlocked.Increment(ref _published);
    }

    /// <summary>Forgets the records, keeping the chunks for the next ones (benchmarks of the steady state); no writer may be running.</summary>
    internal void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _published, 0);
    }

    /// <summary>The records in completion order; call once every writer has finished.</summary>
    public RequestRecord[] ToArray()
    {
        var count = (int)Interlocked.Read(ref _count);
        var result = new RequestRecord[count];
        for (var i = 0; i < count; i += ChunkSize)
        {
            var length = Math.Min(ChunkSize, count - i);
            Array.Copy(_chunks[i >> ChunkBits]!, 0, result, i, length);
        }

        return result;
    }

    private RequestRecord[] EnsureChunk(int chunkIndex)
    {
        var chunks = Volatile.Read(ref _chunks);
        if (chunkIndex < chunks.Length && Volatile.Read(ref chunks[chunkIndex]) is { } existing)
        {
            return existing;
        }

        lock (_grow)
        {
            if (chunkIndex >= _chunks.Length)
            {
                var bigger = new RequestRecord[]?[Math.Max(_chunks.Length * 2, chunkIndex + 1)];
                Array.Copy(_chunks, bigger, _chunks.Length);
                Volatile.Write(ref _chunks, bigger);
            }

            return _chunks[chunkIndex] ??= new RequestRecord[ChunkSize];
        }
    }
}
