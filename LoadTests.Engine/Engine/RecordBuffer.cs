namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// Append-only store of request records, written concurrently by completing requests without locks (an index taken
/// with <see cref="Interlocked"/>, chunks allocated once and reused for the run). Readers get a <see cref="RecordList"/>
/// over the chunks themselves: the end of a run copies nothing, and a view taken while writers run
/// (<see cref="Written"/>) holds the longest prefix whose every record is completely written.
/// </summary>
public sealed class RecordBuffer
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;
    private RequestRecord[]?[] _chunks = new RequestRecord[]?[64];
    private int[]?[] _written = new int[]?[64];
    private readonly Lock _grow = new();
    private long _count;
    private long _published;
    private int _prefix;

    /// <summary>Records written so far.</summary>
    public long Count => Interlocked.Read(ref _published);

    /// <summary>Adds one record; safe from any thread.</summary>
    public void Add(in RequestRecord record)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        var chunkIndex = (int)(index >> ChunkBits);
        var (chunk, written) = EnsureChunk(chunkIndex);
        var slot = (int)(index & (ChunkSize - 1));
        chunk[slot] = record;

        // The record's every field is stored before a reader of the live view can see it as written.
        Volatile.Write(ref written[slot], 1);
        Interlocked.Increment(ref _published);
    }

    /// <summary>Forgets the records, keeping the chunks for the next ones (benchmarks of the steady state); no writer may be running.</summary>
    internal void Reset()
    {
        var count = (int)Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _published, 0);
        _prefix = 0;
        for (var i = 0; i < count; i += ChunkSize)
        {
            Array.Clear(_written[i >> ChunkBits]!);
        }
    }

    /// <summary>The records in completion order, in place; call once every writer has finished.</summary>
    public RecordList ToList() => View((int)Interlocked.Read(ref _count));

    /// <summary>The records in completion order, copied into one array; call once every writer has finished.</summary>
    public RequestRecord[] ToArray() => ToList().ToArray();

    /// <summary>While writers run: the longest prefix of records that are completely written (one reader at a time).</summary>
    internal RecordList Written()
    {
        var claimed = (int)Interlocked.Read(ref _count);
        var prefix = _prefix;
        while (prefix < claimed)
        {
            var flags = Volatile.Read(ref _written);
            var written = (prefix >> ChunkBits) < flags.Length ? Volatile.Read(ref flags[prefix >> ChunkBits]) : null;
            if (written is null || Volatile.Read(ref written[prefix & (ChunkSize - 1)]) == 0)
            {
                break;
            }

            prefix++;
        }

        _prefix = prefix;
        return View(prefix);
    }

    private RecordList View(int count)
    {
        var chunks = Volatile.Read(ref _chunks);
        var used = new RequestRecord[(count + ChunkSize - 1) >> ChunkBits][];
        for (var i = 0; i < used.Length; i++)
        {
            used[i] = chunks[i]!;
        }

        return new RecordList(used, ChunkBits, count);
    }

    private (RequestRecord[] Chunk, int[] Written) EnsureChunk(int chunkIndex)
    {
        var chunks = Volatile.Read(ref _chunks);
        var written = Volatile.Read(ref _written);
        if (chunkIndex < chunks.Length && chunkIndex < written.Length
            && Volatile.Read(ref chunks[chunkIndex]) is { } existing && Volatile.Read(ref written[chunkIndex]) is { } flags)
        {
            return (existing, flags);
        }

        lock (_grow)
        {
            if (chunkIndex >= _chunks.Length)
            {
                var length = Math.Max(_chunks.Length * 2, chunkIndex + 1);
                var bigger = new RequestRecord[]?[length];
                Array.Copy(_chunks, bigger, _chunks.Length);
                var biggerWritten = new int[]?[length];
                Array.Copy(_written, biggerWritten, _written.Length);
                Volatile.Write(ref _written, biggerWritten);
                Volatile.Write(ref _chunks, bigger);
            }

            // The flags exist before the chunk is published, so a writer that sees the chunk sees its flags.
            _written[chunkIndex] ??= new int[ChunkSize];
            return (_chunks[chunkIndex] ??= new RequestRecord[ChunkSize], _written[chunkIndex]!);
        }
    }
}
