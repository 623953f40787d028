namespace BenchPlatform.InferenceWorker.Batching;

/// <summary>
/// What a model's runs cost, learnt from the runs themselves: a straight line <c>ms ≈ fixed + perRow × rows</c> fitted
/// by least squares over recent runs (older runs weigh less, so the line follows the machine as load moves it), and
/// the wall time each request took of a runner (a run's time over the requests merged in it), which is what a queued
/// request waits for each one ahead of it. The wait that queue length implies is checked against the waits requests then
/// had (<see cref="WaitScale"/>): it leaves out the runs already under way, decoding and a machine busier than when the
/// runs were measured, and the scale takes up what it leaves out.
/// </summary>
internal sealed class RunCost
{
    // Each new run keeps this share of the weight of the runs before it: about the last 20 runs count.
    private const double Keep = 0.95;
    private const double MinWaitScale = 0.5;
    private const double MaxWaitScale = 8;

    private readonly Lock _lock = new();
    private double _weight, _rows, _ms, _rowsSquared, _rowsTimesMs;
    private double _msPerRequest = double.NaN;
    private double _waitScale = 1;
    private bool _sawFirstRun;

    /// <summary>Whether a run has been measured yet.</summary>
    public bool Known => !double.IsNaN(Volatile.Read(ref _msPerRequest));

    /// <summary>Milliseconds of one runner's time per request, at the batch sizes seen lately (NaN before the first run).</summary>
    public double MsPerRequest => Volatile.Read(ref _msPerRequest);

    /// <summary>Waits seen lately over the waits estimated for them (1 when they agree), from 0.5 to 8.</summary>
    public double WaitScale => Volatile.Read(ref _waitScale);

    /// <summary>
    /// The wait of a request queued behind <paramref name="queued"/> others for one of <paramref name="runners"/> runners,
    /// before <see cref="WaitScale"/>: their measured runner time, shared by the runners (NaN before the first run).
    /// </summary>
    public double EstimatedWaitMs(int queued, int runners) => queued * MsPerRequest / Math.Max(1, runners);

    /// <summary>
    /// Adds a request that left the queue after <paramref name="waitedMs"/> where <see cref="EstimatedWaitMs"/> gave
    /// <paramref name="estimatedMs"/> when it came (NaN, before any run was measured, is not counted). One request's
    /// runner time is added to both, so a request that found the queue empty does not weigh as an infinite ratio.
    /// </summary>
    public void RecordWait(double estimatedMs, double waitedMs)
    {
        if (double.IsNaN(estimatedMs))
        {
            return;
        }

        lock (_lock)
        {
            var unit = _msPerRequest;
            if (double.IsNaN(unit) || unit <= 0)
            {
                return;
            }

            var ratio = (waitedMs + unit) / (estimatedMs + unit);
            Volatile.Write(ref _waitScale, Math.Clamp((_waitScale * 0.9) + (ratio * 0.1), MinWaitScale, MaxWaitScale));
        }
    }

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
