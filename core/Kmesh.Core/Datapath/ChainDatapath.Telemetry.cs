using System.Runtime.CompilerServices;
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
        bpfObject.Map(ClusterTrafficMap).SetMaxEntries(_options.ClusterTrafficSlots ?? DefaultClusterTrafficSlots(BpfMap.PossibleCpuCount));
    }

    /// <summary>Most cluster ids the fast path covers by default: lb_clusters' and km_traffic's default capacity.</summary>
    internal const uint MaxDefaultClusterTrafficSlots = 16384;

    /// <summary>Fewest it covers by default (what the object declared before it was sized by CPUs).</summary>
    internal const uint MinDefaultClusterTrafficSlots = 4096;

    /// <summary>What the default may take, all CPUs together (a slot is 32 bytes per CPU).</summary>
    internal const long ClusterTrafficBudgetBytes = 8L << 20;

    /// <summary>
    /// km_cluster_traffic's slots when <see cref="DatapathOptions.ClusterTrafficSlots"/> is not
    /// given: every cluster id up to 16 384 (a mesh's worth: lb_clusters holds as many clusters),
    /// so closing a connection costs one array access however many clusters there are. A
    /// connection of a cluster beyond the array is counted in km_traffic by a hash lookup and, for
    /// its first one, an insert: at 10 000 services, with the object's former 4096 slots, that was
    /// about two fifths of km_sockops' samples, 0.2-0.35 µs per connection in steady state
    /// (bench/results/2026-12-07-chain19.md). Per-CPU memory is what limits it: the largest power
    /// of two that keeps the map within 8 MiB, so 16 384 up to 16 CPUs (512 KiB a CPU), 8192 up to
    /// 32, 4096 beyond.
    /// </summary>
    internal static uint DefaultClusterTrafficSlots(int cpus)
    {
        var fit = ClusterTrafficBudgetBytes / (Unsafe.SizeOf<ClusterTrafficValue>() * (long)Math.Max(1, cpus));
        var slots = MaxDefaultClusterTrafficSlots;
        while (slots > MinDefaultClusterTrafficSlots && slots > fit)
            slots /= 2;
        return slots;
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
