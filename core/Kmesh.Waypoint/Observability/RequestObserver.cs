using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Observability;

/// <summary>Where a finished request is reported: the metrics always, the access log when one is asked for.</summary>
internal sealed class RequestObserver(WaypointMetrics metrics, RequestLog? log)
{
    public WaypointMetrics Metrics { get; } = metrics;

    public void Completed(HttpContext context, RequestRecord record, TimeSpan elapsed)
    {
        Metrics.Record(context, record, elapsed);
        log?.Write(context, record, elapsed);
    }
}
