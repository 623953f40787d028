using Microsoft.Extensions.Options;

namespace BenchPlatform.InferenceWorker.Predict;

/// <summary>
/// The request bytes this worker holds at once (bodies read, decoded and queued), against
/// <see cref="InferenceOptions.MaxRequestBytes"/>. A request is counted by its body length for its whole life: the
/// decoded tensors are no larger than the body (binary data is the same size, JSON numbers take more text than bytes).
/// </summary>
public sealed class RequestMemory(IOptions<InferenceOptions> options)
{
    private readonly long _budget = options.Value.MaxRequestBytes;
    private long _held;

    /// <summary>Bytes held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>The budget.</summary>
    public long Budget => _budget;

    /// <summary>Counts <paramref name="bytes"/> for one request, or returns null when they do not fit the budget.</summary>
    public Reservation? TryReserve(long bytes)
    {
        var reservation = new Reservation(this);
        return reservation.TryGrowTo(bytes) ? reservation : null;
    }

    /// <summary>
    /// Adds <paramref name="bytes"/> when they fit; a single request larger than the whole budget is let in only while
    /// nothing else is held, so it is slow under load but never refused forever.
    /// </summary>
    private bool TryAdd(long bytes)
    {
        var after = Interlocked.Add(ref _held, bytes);
        if (after > _budget && after != bytes)
        {
            Interlocked.Add(ref _held, -bytes);
            return false;
        }

        return true;
    }

    /// <summary>One request's bytes; disposing gives them back.</summary>
    public sealed class Reservation(RequestMemory memory) : IDisposable
    {
        private long _bytes;

        /// <summary>Counts the request as <paramref name="total"/> bytes when it grew past what was counted (a body sent without a length).</summary>
        public bool TryGrowTo(long total)
        {
            if (total <= _bytes)
            {
                return true;
            }

            if (!memory.TryAdd(total - _bytes))
            {
                return false;
            }

            _bytes = total;
            return true;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Interlocked.Add(ref memory._held, -_bytes);
            _bytes = 0;
        }
    }
}
