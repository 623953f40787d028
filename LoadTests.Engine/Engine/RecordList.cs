using System.Collections;

namespace BenchPlatform.LoadTests.Engine;

/// <summary>
/// A run's records, read in place from the chunks the engine wrote them into (no copy into one array at the end of a
/// run, nor at each live threshold check). Iterate with <c>foreach (ref readonly var r in records)</c> to read without
/// copying a record; LINQ works through <see cref="IEnumerable{T}"/>.
/// </summary>
public sealed class RecordList : IReadOnlyList<RequestRecord>
{
    private readonly RequestRecord[][] _chunks;
    private readonly int _chunkBits;

    internal RecordList(RequestRecord[][] chunks, int chunkBits, int count)
    {
        _chunks = chunks;
        _chunkBits = chunkBits;
        Length = count;
    }

    /// <summary>No records.</summary>
    public static RecordList Empty { get; } = new([], 0, 0);

    /// <summary>The records, in completion order.</summary>
    public int Length { get; }

    int IReadOnlyCollection<RequestRecord>.Count => Length;

    /// <summary>The record at <paramref name="index"/>, by reference.</summary>
    public ref readonly RequestRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
            return ref _chunks[index >> _chunkBits][index & ((1 << _chunkBits) - 1)];
        }
    }

    RequestRecord IReadOnlyList<RequestRecord>.this[int index] => this[index];

    /// <summary>Wraps an array (records merged or made elsewhere).</summary>
    public static RecordList From(RequestRecord[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return records.Length == 0 ? Empty : new RecordList([records], 30, records.Length);
    }

    /// <summary>A copy in one array.</summary>
    public RequestRecord[] ToArray()
    {
        var result = new RequestRecord[Length];
        var chunkSize = 1 << _chunkBits;
        for (var i = 0; i < Length; i += chunkSize)
        {
            Array.Copy(_chunks[i >> _chunkBits], 0, result, i, Math.Min(chunkSize, Length - i));
        }

        return result;
    }

    /// <summary>An enumerator that hands out each record by reference.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<RequestRecord> IEnumerable<RequestRecord>.GetEnumerator()
    {
        for (var i = 0; i < Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<RequestRecord>)this).GetEnumerator();

    /// <summary>Walks the records by reference, chunk by chunk.</summary>
    public struct Enumerator
    {
        private readonly RecordList _list;
        private int _index;

        internal Enumerator(RecordList list)
        {
            _list = list;
            _index = -1;
        }

        /// <summary>The current record.</summary>
        public readonly ref readonly RequestRecord Current => ref _list._chunks[_index >> _list._chunkBits][_index & ((1 << _list._chunkBits) - 1)];

        /// <summary>Moves to the next record.</summary>
        public bool MoveNext() => ++_index < _list.Length;
    }
}
