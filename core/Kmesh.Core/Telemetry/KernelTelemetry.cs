using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kmesh.Bpf;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// The kernel side of the mesh's telemetry, read from the core's maps: per-service traffic
/// counters (km_cluster_traffic and km_traffic, per CPU), live bytes of open connections (the km_conn iterator of
/// telemetry.bpf.o), and the access log (km_accesslog). Reads are cheap and thread-safe; they
/// touch only kernel maps and never the data path.
/// </summary>
public sealed class KernelTelemetry : IDisposable
{
    /// <summary>The object holding the km_conn iterator.</summary>
    public const string ObjectFileName = "telemetry.bpf.o";

    private readonly BpfMap _traffic;
    private readonly BpfMap? _clusterTraffic;
    private readonly BpfMap _accessLog;
    private readonly BpfMap _drops;
    private readonly BpfIterator? _live;
    private readonly IReadOnlyList<IDisposable> _owned;
    private readonly TrafficTotals _totals = new();
    private readonly Lock _lock = new();
    private TrafficMapValue[]? _perCpu;
    private ClusterTrafficValue[]? _clusterPerCpu;

    private readonly string? _cgroupPath;

    internal KernelTelemetry(BpfMap traffic, BpfMap? clusterTraffic, BpfMap accessLog, BpfMap drops, BpfIterator? live, string? liveUnavailable, bool accessLogEnabled, IReadOnlyList<IDisposable> owned, string? cgroupPath)
    {
        _cgroupPath = cgroupPath;
        _traffic = traffic;
        _clusterTraffic = clusterTraffic;
        _accessLog = accessLog;
        _drops = drops;
        _live = live;
        _owned = owned;
        LiveBytesUnavailableReason = live is null ? liveUnavailable ?? "the km_conn iterator is not loaded" : null;
        AccessLogEnabled = accessLogEnabled;
    }

    /// <summary>Whether the kernel writes the access log (<c>DatapathOptions.AccessLog</c> when it was loaded).</summary>
    public bool AccessLogEnabled { get; }

    /// <summary>True when open connections' bytes can be read (the km_conn iterator loaded).</summary>
    public bool LiveBytesAvailable => _live is not null;

    /// <summary>Why open connections' bytes cannot be read; null when they can.</summary>
    public string? LiveBytesUnavailableReason { get; }

    /// <summary>The capacity of the per-service map (services × clusters it can tell apart).</summary>
    public uint TrafficCapacity => _traffic.MaxEntries;

    /// <summary>The cluster ids (0 to this minus one) counted on the fast path, km_cluster_traffic; 0 when the map is absent (a pin folder of a core before it).</summary>
    public uint ClusterTrafficSlots => _clusterTraffic?.MaxEntries ?? 0;

    /// <summary>
    /// Opens the telemetry of a running daemon by its pin folder (an operator tool, a test): the
    /// maps by path, and, when <paramref name="objectFolder"/> holds telemetry.bpf.o, the tcp
    /// iterator loaded on the daemon's pinned maps. <paramref name="accessLogEnabled"/> is what
    /// the caller knows of the daemon's option (the kernel does not say); <paramref name="cgroupPath"/>
    /// is the daemon's governed cgroup, whose processes' network namespaces are searched for open
    /// connections (null: this process's namespace only).
    /// </summary>
    public static KernelTelemetry OpenPinned(string pinFolder, string? objectFolder = null, bool accessLogEnabled = false, string? cgroupPath = null)
    {
        var owned = new List<IDisposable>();
        try
        {
            var traffic = Own(BpfMap.OpenPinned(Path.Combine(pinFolder, "km_traffic")));
            // A core before the fast path pinned no km_cluster_traffic: everything is in km_traffic then.
            var clusterPin = Path.Combine(pinFolder, "km_cluster_traffic");
            var clusterTraffic = File.Exists(clusterPin) ? Own(BpfMap.OpenPinned(clusterPin)) : null;
            var accessLog = Own(BpfMap.OpenPinned(Path.Combine(pinFolder, "km_accesslog")));
            var drops = Own(BpfMap.OpenPinned(Path.Combine(pinFolder, "km_accesslog_drops")));
            BpfIterator? live = null;
            string? why = null;
            var objectPath = Path.Combine(objectFolder ?? AppContext.BaseDirectory, ObjectFileName);
            try
            {
                var (obj, iterator) = LoadIterator(objectPath, pinFolder);
                owned.Add(obj);
                owned.Add(iterator);
                live = iterator;
            }
            catch (Exception e) when (e is BpfException or BpfLoadException or IOException or KeyNotFoundException or InvalidOperationException)
            {
                why = e.Message;
            }
            // The iterator's link goes before its object: dispose in reverse.
            owned.Reverse();
            return new KernelTelemetry(traffic, clusterTraffic, accessLog, drops, live, why, accessLogEnabled, owned, cgroupPath);
        }
        catch
        {
            foreach (var d in owned)
                d.Dispose();
            throw;
        }

        T Own<T>(T d) where T : IDisposable
        {
            owned.Add(d);
            return d;
        }
    }

    /// <summary>
    /// Loads telemetry.bpf.o on the maps pinned in <paramref name="pinFolder"/> (km_conn above
    /// all, whose records the iterator reads) and attaches its km_conn iterator.
    /// </summary>
    internal static (BpfObject Object, BpfIterator Iterator) LoadIterator(string objectPath, string pinFolder, Action<BpfObject>? place = null)
    {
        var obj = BpfObject.Open(objectPath, new BpfObjectOptions { PinRoot = pinFolder });
        try
        {
            // A pinned map is reused only when its definition matches: take the daemon's capacities.
            foreach (var map in obj.Maps.Where(m => !m.IsInternal))
            {
                var pin = Path.Combine(pinFolder, map.Name);
                if (!File.Exists(pin))
                    continue;
                using var pinned = BpfMap.OpenPinned(pin);
                if (pinned.MaxEntries != map.MaxEntries)
                    map.SetMaxEntries(pinned.MaxEntries);
            }
            place?.Invoke(obj); // an adopting daemon's new chain: its km_conn may be built beside the running one
            obj.Load();
            return (obj, BpfIterator.Attach(obj.Program("km_live_tcp")));
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads every service's counters: routed connections from km_cluster_traffic (each CPU's
    /// slot under the service it claimed), then closed connections and refusals from km_traffic (summed
    /// over CPUs), plus the bytes of connections open now (the km_conn iterator). Each number is
    /// the largest seen so far by this instance, so successive reads never go down.
    /// </summary>
    public TrafficReport ReadTraffic()
    {
        lock (_lock)
        {
            _perCpu ??= new TrafficMapValue[BpfMap.PossibleCpuCount];
            _totals.Begin();
            // The maps before the iterator: see TrafficTotals for why this order.
            if (_clusterTraffic is not null)
                ReadClusterTraffic(_clusterTraffic);
            foreach (var key in _traffic.Keys<TrafficMapKey>())
            {
                if (_traffic.TryLookupPerCpu(key, _perCpu.AsSpan()))
                    _totals.AddKernel(new TrafficKey(key.ServiceId, key.ClusterId), _perCpu);
            }
            if (_live is not null)
                ReadLive(_live);
            var (services, overflow) = _totals.Finish();
            return new TrafficReport
            {
                Services = services,
                Overflow = overflow,
                AccessLogDropped = ReadAccessLogDropped(),
                IncludesOpenConnections = _live is not null,
            };
        }
    }

    /// <summary>Slots of km_cluster_traffic read per syscall (a batch lookup; 256 slots × CPUs × 40 bytes).</summary>
    internal const int ClusterTrafficBatch = 256;

    /// <summary>
    /// km_cluster_traffic, every slot: a few batch lookups (BPF_MAP_LOOKUP_BATCH, 256 slots each)
    /// instead of a syscall per slot (16 384 of them a scrape on a small machine); slot by slot only on a kernel
    /// without batch lookups for arrays.
    /// </summary>
    private void ReadClusterTraffic(BpfMap clusterTraffic)
    {
        int cpus = BpfMap.PossibleCpuCount;
        // The values come as each CPU's copy rounded up to 8 bytes: 40-byte slots need no repacking.
        if (Unsafe.SizeOf<ClusterTrafficValue>() % 8 == 0 && clusterTraffic.ValueSize == Unsafe.SizeOf<ClusterTrafficValue>() && clusterTraffic.KeySize == sizeof(uint)
            && clusterTraffic.LookupBatch(ClusterTrafficBatch, (keys, values, count) =>
            {
                var ids = MemoryMarshal.Cast<byte, uint>(keys);
                var slots = MemoryMarshal.Cast<byte, ClusterTrafficValue>(values);
                for (int i = 0; i < count; i++)
                    _totals.AddCluster(ids[i], slots.Slice(i * cpus, cpus));
            }) >= 0)
            return;
        _clusterPerCpu ??= new ClusterTrafficValue[cpus];
        for (uint cluster = 0; cluster < ClusterTrafficSlots; cluster++)
        {
            if (clusterTraffic.TryLookupPerCpu(cluster, _clusterPerCpu.AsSpan()))
                _totals.AddCluster(cluster, _clusterPerCpu);
        }
    }

    /// <summary>
    /// Open connections, namespace by namespace: a tcp iterator sees one network namespace, and
    /// the governed processes' connections are in theirs. A namespace that vanished meanwhile
    /// (its last process exited) has no open connection left to miss.
    /// </summary>
    private void ReadLive(BpfIterator live)
    {
        if (_cgroupPath is null)
        {
            _totals.AddLive(live.Read());
            return;
        }
        foreach (var netns in CgroupNetworkNamespaces.Of(_cgroupPath))
        {
            try
            {
                _totals.AddLive(live.Read(netns));
            }
            catch (BpfException e) when (e.Errno is 2 or 3) // ENOENT, ESRCH: the process is gone
            {
            }
        }
    }

    /// <summary>Access-log records the kernel dropped because the ring buffer was full, summed over CPUs.</summary>
    public ulong ReadAccessLogDropped()
    {
        ulong sum = 0;
        foreach (var cpu in _drops.LookupPerCpu<uint, ulong>(0u))
            sum += cpu;
        return sum;
    }

    /// <summary>
    /// Starts following the access log (see <see cref="AccessLogReader"/>); dispose the reader to
    /// stop. Only one reader at a time should exist per daemon.
    /// </summary>
    public AccessLogReader OpenAccessLog() => new(_accessLog, new AccessLogDecoder());

    /// <summary>Detaches the iterator and closes what this instance opened (for a datapath's own telemetry: the iterator only).</summary>
    public void Dispose()
    {
        foreach (var d in _owned)
            d.Dispose();
    }
}
