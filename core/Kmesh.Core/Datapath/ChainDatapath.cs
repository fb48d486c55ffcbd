using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Abi;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

/// <summary>
/// Everything this daemon put into the kernel: the core's entry, commit and getpeername
/// programs, the plugins' objects tail-chained in order, and the cgroup attachments.
/// Built in the order that keeps every connect well defined (commit first, plugins from
/// the end of the chain backwards, the cgroup attachments last); disposed in reverse.
/// </summary>
public sealed partial class ChainDatapath : IDatapath
{
    private const string ConnectObject = "connect.bpf.o";
    private const string PeerObject = "getpeername.bpf.o";
    private const string SockOpsObject = "sockops.bpf.o";
    private const string SkMsgObject = "skmsg.bpf.o";

    private readonly DatapathOptions _options;
    private readonly ILogger _log;
    private readonly List<BpfObject> _coreObjects = new();
    private readonly List<BpfLink> _links = new();
    private readonly List<MapAttachment> _mapAttachments = new();
    private readonly List<ActivePlugin> _plugins = new();
    private readonly List<PluginStatus> _statuses = new();
    private readonly Dictionary<(string Plugin, string Map), IKernelMap> _mapCache = new();
    private InstanceLock? _lock;

    private ChainDatapath(DatapathOptions options, ILogger log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>The plugins in the chain, in chain order.</summary>
    public IReadOnlyList<ActivePlugin> Plugins => _plugins;

    IReadOnlyList<IChainMember> IDatapath.Plugins => _plugins;

    IReadOnlyList<IChainMember> IDatapath.Translators => Translators;

    /// <summary>Every plugin of the chosen set, active or left out with the reason.</summary>
    public IReadOnlyList<PluginStatus> Statuses => _statuses;

    /// <summary>
    /// Loads the core and the chosen plugins and attaches to the cgroup. A plugin that fails
    /// (its assembly, its ABI, the verifier) is left out and reported; the others form the
    /// chain. Failures of the core itself throw.
    /// </summary>
    public static ChainDatapath Start(DatapathOptions options, IReadOnlyList<PluginCandidate> chosen, ILogger log)
    {
        var datapath = new ChainDatapath(options, log);
        try
        {
            datapath._lock = InstanceLock.Acquire(options.PinFolder);
            datapath.PreparePinFolder();
            var connect = datapath.LoadCoreObject(ConnectObject, o =>
            {
                o.SetReadOnlyGlobal("km_fail_closed", options.FailClosed ? 1u : 0u);
                datapath.ConfigureTelemetry(o);
            });
            var peer = datapath.LoadCoreObject(PeerObject, null);
            var sockOps = datapath.LoadCoreObject(SockOpsObject, datapath.ConfigureTelemetry);
            var skMsg = datapath.LoadCoreObject(SkMsgObject, null);
            if (!datapath._adopting)
                WriteInstanceInfo(connect); // an adopting one writes it at its switch: until then the folder is the previous core's
            datapath.StartTelemetry(connect);
            datapath.LoadPlugins(chosen);
            datapath.FillChains(connect);
            if (datapath._adopting)
            {
                datapath.FinishAdoptionStart(connect, peer, sockOps, skMsg);
                return datapath;
            }
            datapath.Attach(connect, peer, sockOps, skMsg);
            datapath._started = true;
            return datapath;
        }
        catch
        {
            datapath.Dispose();
            throw;
        }
    }

    /// <summary>A plugin's map as the reconciler writes it; null when the plugin has no such map.</summary>
    public IKernelMap? PluginMap(string plugin, string map)
    {
        if (_mapCache.TryGetValue((plugin, map), out var cached))
            return cached;
        var owner = MapOwner(plugin);
        var bpfMap = owner?.Object.Maps.FirstOrDefault(m => m.Name == map);
        if (bpfMap is null)
            return null;
        var kernelMap = new BpfKernelMap(bpfMap);
        _mapCache[(plugin, map)] = kernelMap;
        return kernelMap;
    }

    /// <summary>Decisions counted by reason, summed over CPUs.</summary>
    public IReadOnlyDictionary<KmReason, ulong> ReadStats()
    {
        var result = new Dictionary<KmReason, ulong>();
        var perCpu = _coreObjects[0].Map("km_stats").LookupPerCpu<uint, KmStats>(0u) ?? [];
        foreach (var cpu in perCpu)
        {
            for (var reason = 0; reason < KmStats.Reasons; reason++)
            {
                if (cpu.Count[reason] != 0)
                    result[(KmReason)reason] = result.GetValueOrDefault((KmReason)reason) + cpu.Count[reason];
            }
        }
        return result;
    }

    /// <summary><c>struct km_stats</c>; filled by the kernel, hence never assigned here.</summary>
#pragma warning disable CS0649
    private struct KmStats
    {
        public const int Reasons = 16;
        public ReasonCounts Count;
    }

    [System.Runtime.CompilerServices.InlineArray(KmStats.Reasons)]
    private struct ReasonCounts
    {
        private ulong _first;
    }
#pragma warning restore CS0649

    private BpfObject LoadCoreObject(string fileName, Action<BpfObject>? configure)
    {
        var path = Path.Combine(_options.CoreObjectFolder, fileName);
        var bpfObject = BpfObject.Open(path, new BpfObjectOptions { PinRoot = _options.PinFolder });
        try
        {
            configure?.Invoke(bpfObject);
            PlaceSharedMaps(bpfObject);
            bpfObject.Load();
        }
        catch
        {
            bpfObject.Dispose();
            throw;
        }
        _coreObjects.Add(bpfObject);
        return bpfObject;
    }

    private void FillChains(BpfObject connect)
    {
        foreach (var hook in ChainHooks.All)
        {
            // An adopted chain array still serving (sk_msg's) is filled at the switch, in place.
            if (!FillsAtSwitch(hook))
                FillChain(connect, hook);
        }
    }

    private void FillChain(BpfObject connect, ChainHook hook)
    {
        // Every chain map is pinned by name: the connect object's handle is the one map.
        var chain = new ProgramArray(connect.Map(hook.ChainMapName()));
        if (hook.HasCommit())
            chain.Set(ChainAbi.CommitSlot, connect.Program(hook == ChainHook.Connect4 ? "km_commit4" : "km_commit6"));
        // From the end backwards: until slot 0 is filled, a connect goes straight to commit.
        for (var i = _plugins.Count - 1; i >= 0; i--)
        {
            if (_plugins[i].Slots.TryGetValue(hook, out var slot))
                chain.Set((uint)slot, ChainProgram(_plugins[i], hook));
        }
    }

    private void Attach(BpfObject connect, BpfObject peer, BpfObject sockOps, BpfObject skMsg)
    {
        // The sk_msg entry first: a socket a plugin puts into km_socks is then always served. On
        // adoption this replaces the previous km_msg in one step (sockets already in the map keep
        // the program they were inserted with until they close). The map holds the attachment, so
        // a pinned km_socks keeps it across a restart without a link.
        _mapAttachments.Add(skMsg.Program("km_msg").AttachToMap(skMsg.Map("km_socks"), BpfAttachType.SkMsgVerdict));
        using var cgroup = CgroupHandle.Open(_options.CgroupPath);
        // sockops first: a connection the connect entry rewrites is then always followed.
        foreach (var (bpfObject, program) in new[] { (sockOps, "km_sockops"), (connect, "km_entry4"), (connect, "km_entry6"), (peer, "km_peer4"), (peer, "km_peer6") })
            _links.Add(AttachEntry(cgroup, bpfObject.Program(program)));
        LogAttached(_log, _options.CgroupPath, _options.PinFolder);
    }

    /// <summary>
    /// Detaches from the cgroup, unloads everything and removes the pin folder; or, with
    /// <see cref="DatapathOptions.KeepOnExit"/> (and when an adoption did not finish), only lets
    /// go: the pins keep programs attached and maps filled.
    /// </summary>
    public void Dispose()
    {
        _telemetry?.Dispose();
        AbandonReplacement();
        var leave = _lock is not null && LeaveRunning;
        if (_lock is not null && !leave && Directory.Exists(LinksFolder(_options.PinFolder)))
            Kmesh.Bpf.PinFolder.Remove(LinksFolder(_options.PinFolder)); // unpinned first, so closing the links detaches now
        foreach (var link in _links)
            link.Dispose();
        _links.Clear();
        foreach (var attachment in _mapAttachments)
        {
            if (leave)
                attachment.Leave();
            else
                attachment.Dispose();
        }
        _mapAttachments.Clear();
        foreach (var plugin in _plugins)
            plugin.Dispose();
        _plugins.Clear();
        foreach (var bpfObject in _coreObjects)
            bpfObject.Dispose();
        _coreObjects.Clear();
        if (_lock is null)
            return; // never took the folder: it may be another daemon's
        if (leave)
        {
            if (_adopting && !_started)
                RemoveStaging(); // the chain built beside the running one was never switched in: it goes with this process
            LogLeftRunning(_log, _options.PinFolder, _options.CgroupPath);
            _lock.Dispose();
            _lock = null;
            return;
        }
        try
        {
            if (Directory.Exists(_options.PinFolder))
                Kmesh.Bpf.PinFolder.Remove(_options.PinFolder);
        }
        catch (IOException e)
        {
            LogPinRemovalFailed(_log, _options.PinFolder, e.Message);
        }
        _lock?.Dispose();
        _lock = null;
    }

    private void RemoveStaging()
    {
        try
        {
            Kmesh.Bpf.PinFolder.Remove(StagingFolder);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            LogPinRemovalFailed(_log, StagingFolder, e.Message);
        }
    }

    /// <summary>Whether this datapath leaves the kernel data path running when disposed.</summary>
    public bool KeepsRunning => LeaveRunning;

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Removing pins left in {PinFolder} by an earlier run")]
    private static partial void LogStalePins(ILogger logger, string pinFolder);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Attached to cgroup {Cgroup} (pins in {PinFolder})")]
    private static partial void LogAttached(ILogger logger, string cgroup, string pinFolder);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Could not remove pin folder {PinFolder}: {Reason}")]
    private static partial void LogPinRemovalFailed(ILogger logger, string pinFolder, string reason);
}
