namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// What a model's runs cost, learnt from the runs themselves: a straight line <c>ms ≈ fixed + perRow × rows</c> fitted
/// by least squares over recent runs (older runs weigh less, so the line follows the machine as load moves it), and
/// the wall time each request took of a runner (a run's time over the requests merged in it), which is what a queued
/// request waits for each one ahead of it.
/// </summary>
internal sealed class RunCost
{
    // Each new run keeps this share of the weight of the runs before it: about the last 20 runs count.
    private const double Keep = 0.95;

    private readonly Lock _lock = new();
    private double _weight, _rows, _ms, _rowsSquared, _rowsTimesMs;
    private double _msPerRequest = double.NaN;
    private bool _sawFirstRun;

    /// <summary>Whether a run has been measured yet.</summary>
    public bool Known => !double.IsNaN(Volatile.Read(ref _msPerRequest));

    /// <summary>Milliseconds of one runner's time per request, at the batch sizes seen lately (NaN before the first run).</summary>
    public double MsPerRequest => Volatile.Read(ref _msPerRequest);

    /// <summary>
    /// Adds a run of <paramref name="requests"/> requests and <paramref name="rows"/> rows that took <paramref name="ms"/>.
    /// A session's first run is left out: it pays one-off allocations (tens of milliseconds for a sub-millisecond model).
    /// </summary>
    public void Record(int requests, int rows, double ms)
    {
        lock (_lock)
        {
            if (!_sawFirstRun)
            {
                _sawFirstRun = true;
                return;
            }

            _weight = _weight * Keep + 1;
            _rows = _rows * Keep + rows;
            _ms = _ms * Keep + ms;
            _rowsSquared = _rowsSquared * Keep + (double)rows * rows;
            _rowsTimesMs = _rowsTimesMs * Keep + rows * ms;
            var perRequest = ms / Math.Max(1, requests);
            _msPerRequest = double.IsNaN(_msPerRequest) ? perRequest : (_msPerRequest * 0.8) + (perRequest * 0.2);
        }
    }

    /// <summary>
    /// The most rows, from 1 to <paramref name="limit"/>, whose run is expected to take at most <paramref name="budgetMs"/>;
    /// <paramref name="limit"/> while nothing has been measured.
    /// </summary>
    public int MaxRows(double budgetMs, int limit)
    {
        double fixedMs, perRowMs;
        lock (_lock)
        {
            if (_weight == 0)
            {
                return limit;
            }

            var meanRows = _rows / _weight;
            var meanMs = _ms / _weight;
            var variance = (_rowsSquared / _weight) - (meanRows * meanRows);
            perRowMs = variance > 1e-9 ? ((_rowsTimesMs / _weight) - (meanRows * meanMs)) / variance : 0;
            if (perRowMs <= 0)
            {
                // Every run had the same size, or noise hides the slope: charge the whole run to its rows (the cautious reading).
                perRowMs = meanMs / Math.Max(1, meanRows);
            }

            fixedMs = Math.Max(0, meanMs - (perRowMs * meanRows));
        }

        if (perRowMs <= 0)
        {
            return limit;
        }

        var rows = (budgetMs - fixedMs) / perRowMs;
        return rows >= limit ? limit : Math.Max(1, (int)rows);
    }
}
