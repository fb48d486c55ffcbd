using Kmesh.Core.Hosting;
using Prometheus;

namespace Kmesh.Admin.Metrics;

/// <summary><c>kmesh_waypoint_up</c>: 1 while the node's waypoint answers ready, 0 otherwise (only with <c>--waypoint</c>).</summary>
internal sealed class WaypointMetrics(IMetricFactory factory, WaypointHealth health) : IKmeshMetricsSource
{
    private readonly Gauge _up = factory.CreateGauge("kmesh_waypoint_up",
        "1 while the L7 waypoint the kernel steers to answers ready; 0 when it does not (steered connects then fail with ECONNREFUSED).");

    public void Refresh() => _up.Set(health.Last.State == WaypointState.Ready ? 1 : 0);
}
