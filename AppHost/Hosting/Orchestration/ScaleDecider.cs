using BenchPlatform.AppHost.Hosting.Resources;

namespace BenchPlatform.AppHost.Hosting.Orchestration;

/// <summary>
/// The autoscaling rule for one project: wanted = clamp(ceil(demand / target), min, max); up at once;
/// down one replica at a time, each step only after demand has wanted fewer replicas for a whole window.
/// </summary>
public sealed class ScaleDecider(AutoscalePolicy policy, TimeProvider time)
{
    private DateTimeOffset? _belowSince;
    private int _lastCurrent;

    /// <summary>Starts the scale-down window afresh (a replica is still starting and has served nothing yet).</summary>
    public void Restart() => _belowSince = null;

    /// <summary>The policy it applies.</summary>
    public AutoscalePolicy Policy { get; } = policy;

    /// <summary>
    /// The replica count demand asks for, plus the warm spares while there is demand, within the bounds; when
    /// <paramref name="min"/> exceeds <paramref name="max"/> (an operator's min above what the machine can place),
    /// <paramref name="max"/> wins.
    /// </summary>
    public int Wanted(int demand, int min, int max)
    {
        var needed = (int)Math.Ceiling(Math.Max(0, demand) / (double)Policy.TargetInflightPerReplica);
        var spares = demand > 0 ? Policy.Buffer : 0;
        return Math.Clamp(needed + spares, Math.Min(min, max), max);
    }

    /// <summary>
    /// The desired count after observing <paramref name="demand"/> (in flight + waiting at the gateway)
    /// while <paramref name="current"/> replicas are desired.
    /// </summary>
    public int Decide(int current, int demand, int min, int max)
    {
        var wanted = Wanted(demand, min, max);
        var grew = current > _lastCurrent;
        _lastCurrent = current;
        if (grew)
        {
            // Scaled up since the last look (here or by a demand call): the new replica gets a whole window.
            _belowSince = null;
        }

        if (wanted >= current || current > max)
        {
            _belowSince = null;
            return current > max ? max : wanted;
        }

        var now = time.GetUtcNow();
        _belowSince ??= now;
        if (now - _belowSince.Value < Policy.ScaleDownWindow)
        {
            return current;
        }

        _belowSince = now;
        return current - 1;
    }
}
