using Kmesh.Bpf;
using Kmesh.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

/// <summary>The core's traffic counters and access log (bpf/telemetry.h), and the km_conn iterator for live bytes.</summary>
public sealed partial class ChainDatapath
{
    private const string TrafficMap = "km_traffic";
    private const string ClusterTrafficMap = "km_cluster_traffic";
    private KernelTelemetry? _telemetry;

    /// <summary>Per-service traffic counters and the access log of this datapath.</summary>
    public KernelTelemetry Telemetry => _telemetry ?? throw new InvalidOperationException("the datapath is not started");

    KernelTelemetry? IDatapath.Telemetry => _telemetry;

    /// <summary>Between open and load of an object that includes telemetry.h: the counting and access-log switches and the maps' capacities.</summary>
    private void ConfigureTelemetry(BpfObject bpfObject)
    {
        bpfObject.SetReadOnlyGlobal("km_count_traffic", _options.TrafficCounters ? 1u : 0u);
        bpfObject.SetReadOnlyGlobal("km_access_log", _options.AccessLog ? 1u : 0u);
        if (_options.TrafficCapacity is { } capacity)
            bpfObject.Map(TrafficMap).SetMaxEntries(capacity);
        if (_options.ClusterTrafficSlots is { } slots)
            bpfObject.Map(ClusterTrafficMap).SetMaxEntries(slots);
    }

    /// <summary>
    /// After the core's objects loaded, before anything is attached: the overflow entry (so a
    /// full map never loses a count), then the km_conn iterator, which is optional: without it
    /// (no kernel BTF, an old kernel) only open connections' bytes are missing.
    /// </summary>
    private void StartTelemetry(BpfObject connect)
    {
        var traffic = connect.Map(TrafficMap);
        var overflow = new TrafficMapKey { ServiceId = TrafficKey.Overflow.ServiceId, ClusterId = TrafficKey.Overflow.ClusterId };
        // An adopted km_traffic has it already, with its counts: only a missing one is created.
        if (!traffic.ContainsKey(overflow))
            traffic.UpdatePerCpu(overflow, new TrafficMapValue[BpfMap.PossibleCpuCount], BpfUpdateFlags.NoExist);

        BpfIterator? live = null;
        string? why = null;
        var owned = new List<IDisposable>();
        if (!_options.TrafficCounters)
        {
            // Open connections' bytes would be the only traffic figures left: with counting off
            // the metrics are to stay at zero, so the iterator is not loaded at all.
            why = "traffic counting is off (--traffic-counters off)";
            LogCountingOff(_log);
        }
        else
        {
            try
            {
                var (obj, iterator) = KernelTelemetry.LoadIterator(Path.Combine(_options.CoreObjectFolder, KernelTelemetry.ObjectFileName), _options.PinFolder, PlaceSharedMaps);
                owned.Add(iterator);
                owned.Add(obj);
                live = iterator;
            }
            catch (Exception e) when (e is BpfException or BpfLoadException or IOException or KeyNotFoundException or InvalidOperationException)
            {
                why = e.Message;
                LogNoLiveBytes(_log, e.Message);
            }
        }
        _telemetry = new KernelTelemetry(traffic, connect.Map(ClusterTrafficMap), connect.Map("km_accesslog"), connect.Map("km_accesslog_drops"), live, why, _options.AccessLog, owned, _options.CgroupPath);
    }

    // A warning, not information: a node whose Istio TCP metrics stay at zero on purpose should say so where operators look.
    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Traffic counting is off (--traffic-counters off): istio_tcp_* and kmesh_connections_denied_total stay at zero")]
    private static partial void LogCountingOff(ILogger logger);

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Open connections' bytes cannot be read (the km_conn iterator did not load): {Reason}; counters cover closed connections only")]
    private static partial void LogNoLiveBytes(ILogger logger, string reason);
}
