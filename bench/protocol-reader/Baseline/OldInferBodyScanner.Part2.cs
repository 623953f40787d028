// Baseline for the benchmarks: a copy, kept as it was, of the code the Protocol reader replaced (commit 7581181).
using System.Text.Json;

namespace BenchPlatform.Bench.ProtocolReader.Baseline;

internal static partial class OldInferBodyScanner
{
    /// <summary>The reader and where its buffer starts in the whole body, so a fast path can skip ahead and resume it.</summary>
    private ref struct Body(ReadOnlySpan<byte> json)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private int _origin;

        public Utf8JsonReader Reader = new(json, isFinalBlock: true, state: default);

        /// <summary>
        /// With the reader on a <c>data</c> array's <c>[</c>: skips the array by <see cref="OldNumberArrayScanner"/> when it
        /// holds only numbers, leaving the reader on its <c>]</c>; otherwise leaves the reader where it was.
        /// </summary>
        public bool TrySkipNumberArray(out long numbers)
        {
            var start = _origin + (int)Reader.TokenStartIndex;
            var length = OldNumberArrayScanner.Scan(_json[start..], out numbers);
            if (length < 0)
            {
                return false;
            }

            // Resume at the closing bracket with the state of the opening one: the reader sees an empty array.
            _origin = start + length - 1;
            Reader = new Utf8JsonReader(_json[_origin..], isFinalBlock: true, Reader.CurrentState);
            Reader.Read();
            return true;
        }
    }
}
