using Kmesh.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Kmesh.Admin.Metrics;

/// <summary>
/// The daemon's Prometheus metrics (names in docs/admin-api.md). Values the daemon already keeps
/// (kernel counters, xDS responses, readiness, map fill) are read at scrape time, so nothing on the
/// data path or the update loop pays for a scrape; only the apply duration is observed as it happens.
/// </summary>
public sealed class KmeshMetrics
{
    private readonly IServiceProvider _daemon;
    private readonly Gauge _ready;
    private readonly Counter _decisions;
    private readonly Counter _pluginCounters;
    private readonly Counter _xdsResponses;
    private readonly Gauge _xdsConnected;
    private readonly Gauge _appliedVersion;
    private readonly Histogram _applyDuration;
    private readonly Counter _applies;
    private readonly Gauge _mapEntries;
    private readonly Gauge _mapCapacity;
    private string? _lastVersion;

    /// <summary>Makes the metrics in a registry of their own (several daemons may share a test process).</summary>
    public KmeshMetrics(IServiceProvider daemon)
    {
        _daemon = daemon;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _ready = factory.CreateGauge("kmesh_ready", "1 when the node serves its configuration in full (the /ready probe), else 0.");
        _decisions = factory.CreateCounter("kmesh_connect_decisions_total", "Connects the chain decided, by reason (routed, no_service, fault, rate_limited, circuit_open, ...).", "reason");
        _pluginCounters = factory.CreateCounter("kmesh_plugin_stats_total", "Counters plugins declare in their manifests, summed over CPUs.", "plugin", "stat");
        _xdsResponses = factory.CreateCounter("kmesh_xds_responses_total", "xDS responses by type and verdict.", "type", "result");
        _xdsConnected = factory.CreateGauge("kmesh_xds_connected", "1 while the ADS stream is up and answering, else 0 (absent for a file source).");
        _appliedVersion = factory.CreateGauge("kmesh_config_applied_version_info", "1 for the version of the configuration in force.", "version");
        _applyDuration = factory.CreateHistogram("kmesh_config_apply_duration_seconds", "Time from an update's offer to its entries in the kernel (translation and reconcile).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16), LabelNames = ["result"] });
        _applies = factory.CreateCounter("kmesh_config_applies_total", "Updates written to the kernel, by result (complete, or a plugin kept its previous state).", "result");
        _mapEntries = factory.CreateGauge("kmesh_map_entries", "Entries the daemon wrote to a plugin map.", "plugin", "map");
        _mapCapacity = factory.CreateGauge("kmesh_map_capacity", "Entries a plugin map can hold.", "plugin", "map");
        Registry.AddBeforeCollectCallback(Refresh);
        daemon.GetRequiredService<DaemonStatus>().Applied += Observe;
        Collectors = [new TrafficMetrics(factory, daemon)];
        if (daemon.GetService<WaypointHealth>() is { } waypoint)
            Collectors.Add(new WaypointMetrics(factory, waypoint));
    }

    /// <summary>The registry a scrape serializes.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Further sources refreshed at scrape time (kernel traffic counters, the access log's drops).</summary>
    public List<IKmeshMetricsSource> Collectors { get; }

    private void Observe(TimeSpan duration, bool complete)
    {
        var result = complete ? "complete" : "partial";
        _applyDuration.WithLabels(result).Observe(duration.TotalSeconds);
        _applies.WithLabels(result).Inc();
    }

    private void Refresh()
    {
        var status = _daemon.GetRequiredService<DaemonStatus>();
        _ready.Set(status.Readiness.Ready ? 1 : 0);
        if (status.Current is { } current && current.Version != _lastVersion)
        {
            if (_lastVersion is not null)
                _appliedVersion.RemoveLabelled(_lastVersion);
            _appliedVersion.WithLabels(current.Version).Set(1);
            _lastVersion = current.Version;
        }
        if (status.Xds is { } xds)
        {
            _xdsConnected.Set(xds.Connected ? 1 : 0);
            foreach (var ((type, accepted), count) in xds.Responses)
                _xdsResponses.WithLabels(type, accepted ? "ack" : "nack").IncTo(count);
        }
        var datapath = _daemon.GetRequiredService<DatapathHost>();
        if (!datapath.Started)
            return;
        foreach (var (reason, count) in datapath.Datapath.ReadStats())
            _decisions.WithLabels(ReasonNames.Of(reason)).IncTo(count);
        var loop = _daemon.GetRequiredService<UpdateLoop>();
        foreach (var plugin in datapath.Datapath.Plugins)
        {
            foreach (var (name, value) in plugin.ReadCounters())
                _pluginCounters.WithLabels(plugin.Name, name).IncTo(value);
            foreach (var map in plugin.MapNames)
            {
                if (datapath.Datapath.PluginMap(plugin.Name, map) is { } kernelMap)
                    _mapCapacity.WithLabels(plugin.Name, map).Set(kernelMap.Capacity);
                _mapEntries.WithLabels(plugin.Name, map).Set(loop.AppliedEntries(plugin.Name, map));
            }
        }
        foreach (var source in Collectors)
            source.Refresh();
    }
}

/// <summary>Something that updates its metrics right before a scrape.</summary>
public interface IKmeshMetricsSource
{
    /// <summary>Reads what it exports (kernel maps, counters) into its metrics.</summary>
    void Refresh();
}
