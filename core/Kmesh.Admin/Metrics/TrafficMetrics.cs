using Kmesh.Sdk.Snapshot;
using Kmesh.Core.Hosting;
using Kmesh.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Kmesh.Admin.Metrics;

/// <summary>
/// The kernel's per-service counters under Istio's standard TCP metric names, labels and meaning
/// (reporter="source": this node's clients), so Istio's dashboards and Kiali read them unchanged;
/// and refusals by reason. Read from the kernel at scrape time.
/// </summary>
internal sealed class TrafficMetrics : IKmeshMetricsSource
{
    /// <summary>Istio's TCP metric labels, in Istio's order.</summary>
    private static readonly string[] IstioLabels =
    [
        "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version", "source_cluster",
        "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
        "destination_service", "destination_service_name", "destination_service_namespace", "destination_cluster",
        "request_protocol", "response_flags", "connection_security_policy",
    ];

    private readonly IServiceProvider _daemon;
    private readonly Counter _opened;
    private readonly Counter _closed;
    private readonly Counter _received;
    private readonly Counter _sent;
    private readonly Counter _denied;
    private readonly Counter _dropped;
    private readonly Gauge _overflow;

    public TrafficMetrics(IMetricFactory factory, IServiceProvider daemon)
    {
        _daemon = daemon;
        _opened = factory.CreateCounter("istio_tcp_connections_opened_total", "TCP connections opened (established), counted in the kernel.", IstioLabels);
        _closed = factory.CreateCounter("istio_tcp_connections_closed_total", "TCP connections closed, counted in the kernel.", IstioLabels);
        _received = factory.CreateCounter("istio_tcp_received_bytes_total", "Bytes in the request direction (client to server), counted in the kernel.", IstioLabels);
        _sent = factory.CreateCounter("istio_tcp_sent_bytes_total", "Bytes in the response direction (server to client), counted in the kernel.", IstioLabels);
        _denied = factory.CreateCounter("kmesh_connections_denied_total", "Connects refused in the kernel, by reason.", ["reason", "destination_service"]);
        _dropped = factory.CreateCounter("kmesh_accesslog_dropped_total", "Access-log records the kernel dropped because the ring was full.");
        _overflow = factory.CreateGauge("kmesh_traffic_overflow", "1 when the kernel's per-service counter map is full and new services are counted together, unlabelled.");
    }

    public void Refresh()
    {
        var datapath = _daemon.GetRequiredService<DatapathHost>();
        if (!datapath.Started || datapath.Datapath.Telemetry is not { } telemetry)
            return;
        var ids = _daemon.GetRequiredService<UpdateLoop>().Ids;
        var report = telemetry.ReadTraffic();
        // Several kernel keys (a service's listener and virtual hosts) may share one destination: sum first.
        var byDestination = new Dictionary<IstioService, (ulong Opened, ulong Closed, ulong Request, ulong Response)>();
        var denied = new Dictionary<(string Reason, string Service), ulong>();
        foreach (var (key, counters) in report.Services)
        {
            var cluster = ids.ClusterName(key.ClusterId);
            var destination = IstioService.Of(cluster ?? ids.ServiceName(key.ServiceId));
            var sum = byDestination.GetValueOrDefault(destination);
            byDestination[destination] = (sum.Opened + counters.Opened, sum.Closed + counters.Closed, sum.Request + counters.RequestBytes, sum.Response + counters.ResponseBytes);
            foreach (var (reason, count) in counters.Denied)
            {
                var label = (AccessLogLine.ReasonName(reason), destination.Service);
                denied[label] = denied.GetValueOrDefault(label) + count;
            }
        }
        foreach (var (destination, (opened, closed, request, response)) in byDestination)
        {
            var labels = Labels(destination);
            if (opened > 0 || closed > 0)
            {
                _opened.WithLabels(labels).IncTo(opened);
                _closed.WithLabels(labels).IncTo(closed);
                _received.WithLabels(labels).IncTo(request);
                _sent.WithLabels(labels).IncTo(response);
            }
        }
        foreach (var ((reason, service), count) in denied)
            _denied.WithLabels(reason, service).IncTo(count);
        _dropped.IncTo(report.AccessLogDropped);
        _overflow.Set(report.Overflow.Opened + report.Overflow.DeniedTotal > 0 ? 1 : 0);
    }

    private static string[] Labels(IstioService destination)
    {
        const string unknown = IstioService.Unknown;
        return
        [
            "source", unknown, unknown, unknown, unknown, unknown, unknown,
            unknown, unknown, unknown, unknown, destination.Version,
            destination.Service, destination.Name, destination.Namespace, unknown,
            "tcp", "-", unknown,
        ];
    }
}
