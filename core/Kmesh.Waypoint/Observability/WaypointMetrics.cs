using Kmesh.Sdk.Snapshot;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Prometheus;

namespace Kmesh.Waypoint.Observability;

/// <summary>
/// Istio's standard HTTP metrics as a waypoint reports them (<c>reporter="waypoint"</c>), so
/// Istio's dashboards and Kiali read them unchanged: <c>istio_requests_total</c> and
/// <c>istio_request_duration_milliseconds</c> with Istio's labels and buckets. The destination
/// comes from the cluster name (<see cref="IstioService"/>); what a node cannot know is
/// <c>unknown</c>, as in Istio.
/// </summary>
internal sealed class WaypointMetrics
{
    private static readonly string[] Labels =
    [
        "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version", "source_cluster",
        "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
        "destination_service", "destination_service_name", "destination_service_namespace", "destination_cluster",
        "request_protocol", "response_code", "grpc_response_status", "response_flags", "connection_security_policy",
    ];

    /// <summary>Istio's default duration buckets, in milliseconds.</summary>
    private static readonly double[] DurationBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter _requests;
    private readonly Histogram _duration;

    // Label sets repeat (a few clusters, codes and flags): find their children once, not 21 labels per request.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? Cluster, int Code, string Flags, bool Grpc, string GrpcStatus), (Counter.Child Requests, Histogram.Child Duration)> _children = new();

    public WaypointMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("istio_requests_total", "Requests the waypoint handled.", Labels);
        _duration = factory.CreateHistogram("istio_request_duration_milliseconds", "Time from request to the end of the response, in milliseconds.",
            Labels, new HistogramConfiguration { Buckets = DurationBuckets });
    }

    public CollectorRegistry Registry { get; }

    public void Record(HttpContext context, RequestRecord record, TimeSpan elapsed)
    {
        var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        var key = (record.Cluster, context.Response.StatusCode, record.Flags, grpc, grpc ? GrpcStatus(context) : "");
        var (requests, duration) = _children.GetOrAdd(key, Children);
        requests.Inc();
        duration.Observe(elapsed.TotalMilliseconds);
    }

    private (Counter.Child, Histogram.Child) Children((string? Cluster, int Code, string Flags, bool Grpc, string GrpcStatus) key)
    {
        var destination = IstioService.Of(key.Cluster);
        string[] values =
        [
            "waypoint", IstioService.Unknown, IstioService.Unknown, IstioService.Unknown, IstioService.Unknown, IstioService.Unknown, IstioService.Unknown,
            IstioService.Unknown, IstioService.Unknown, IstioService.Unknown, IstioService.Unknown, destination.Version,
            destination.Service, destination.Name, destination.Namespace, IstioService.Unknown,
            key.Grpc ? "grpc" : "http", key.Code.ToString(System.Globalization.CultureInfo.InvariantCulture),
            key.GrpcStatus, key.Flags, "none",
        ];
        return (_requests.WithLabels(values), _duration.WithLabels(values));
    }

    /// <summary>The gRPC status: a trailer, or a header in a trailers-only answer.</summary>
    public static string GrpcStatus(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is not null && trailers.TryGetValue("grpc-status", out var status))
            return status.ToString();
        return context.Response.Headers.TryGetValue("grpc-status", out var header) ? header.ToString() : "";
    }
}
