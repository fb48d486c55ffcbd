using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Waypoint;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// Rate limiting's L7 part: in the waypoint, Envoy's HTTP local rate limit filter
/// (<c>envoy.filters.http.local_ratelimit</c>) per request — a token bucket per route, virtual
/// host or route configuration that configures one in <c>typed_per_filter_config</c> (the most
/// specific wins), the connection manager's filter config otherwise. The kernel part can only count
/// connections; here every request takes a token. Buckets outlive configurations whose level keeps
/// its config, so a config push does not hand out a fresh bucket.
/// </summary>
public sealed class RateLimitWaypointExtension : IWaypointExtension
{
    private readonly BucketStore _buckets;

    /// <summary>The waypoint's constructor: buckets on the system clock.</summary>
    public RateLimitWaypointExtension()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Buckets that fill on <paramref name="time"/>'s clock (tests move it by hand).</summary>
    public RateLimitWaypointExtension(TimeProvider time) => _buckets = new BucketStore(time);

    /// <inheritdoc />
    public IWaypointFilter? Configure(MeshSnapshot snapshot, IWaypointReport report)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(report);
        var inUse = new LimitConfigs(report).Walk(snapshot);
        _buckets.KeepOnly(inUse ?? []);
        return inUse is null ? null : new RequestLimits(_buckets);
    }
}
