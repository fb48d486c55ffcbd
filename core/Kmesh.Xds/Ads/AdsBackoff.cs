namespace Kmesh.Xds.Ads;

/// <summary>
/// Reconnect delays: exponential from the initial delay up to the cap, with jitter so that a
/// fleet of nodes that lost the same control plane does not come back in lockstep.
/// </summary>
public sealed class AdsBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    /// <summary>The delay before the next attempt: half of the exponential step fixed, half random.</summary>
    public TimeSpan Next()
    {
        var step = initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures++, 30));
        var cap = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(cap / 2 + _random.NextDouble() * cap / 2);
    }

    /// <summary>A stream worked: the next failure starts from the initial delay again.</summary>
    public void Reset() => _failures = 0;
}
