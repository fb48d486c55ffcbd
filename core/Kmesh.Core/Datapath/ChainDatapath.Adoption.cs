using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

/// <summary>What an adopting datapath took over, and whether its own chain serves yet.</summary>
/// <param name="PinFolder">The folder adopted.</param>
/// <param name="Previous">Which core made it ("chain ABI 1.3"), or why that is unknown.</param>
/// <param name="Carried">Maps taken over with their contents (config and runtime state): <c>km_conn</c>, <c>plugins/NAME/MAP</c>.</param>
/// <param name="Renewed">Maps built anew beside the running ones, each with why (layout changed, pin missing, another version).</param>
/// <param name="Switched">True once this daemon's chain is attached; until then the previous chain serves.</param>
/// <param name="Waiting">Why the switch waits (plugins whose maps are new and must hold the config first); empty once switched.</param>
public sealed record AdoptionState(string PinFolder, string Previous, IReadOnlyList<string> Carried, IReadOnlyList<string> Renewed, bool Switched, IReadOnlyList<string> Waiting);

/// <summary>
/// Hitless restart and upgrade (issue 13): the pin folder holds the whole data path - the core's
/// maps (pinned by name), every plugin map (<c>plugins/NAME/MAP</c>), the cgroup links
/// (<c>links/PROGRAM</c>, with <see cref="DatapathOptions.KeepOnExit"/>) and <c>km_instance</c>
/// (which core made it). A daemon that finds links there adopts the folder instead of clearing
/// it, make-before-break: it builds its whole chain beside the running one - fresh prog arrays,
/// every map whose layout is unchanged taken over (so runtime state carries over: buckets,
/// cursors, counts, ejections, the connection records, the sockhash), the others new - fills it,
/// and only then swaps the attached entry programs with BPF_LINK_UPDATE. The previous chain
/// serves every connect until that moment; the hook is never without a program. When every map
/// was taken over the switch is at once; when some are new (a plugin's layout changed, a pin is
/// missing, a core of another ABI major made the folder) it waits until the first configuration
/// is in them (<see cref="SwitchToNewChain"/>).
/// </summary>
public sealed partial class ChainDatapath
{
    private const string LinksFolderName = "links";
    private const string PluginsFolderName = "plugins";
    private const string StagingFolderName = "staging";
    private const string InstanceMap = "km_instance";

    /// <summary>How the folder is laid out (links/, plugins/, staging/, km_instance); bumped when that changes.</summary>
    public const uint PinLayout = 1;

    private bool _adopting;
    private bool _started;
    private bool _carryNothing;
    private string _previous = "";
    private readonly Dictionary<string, string?> _sharedMaps = new(StringComparer.Ordinal);
    private readonly List<string> _carried = [];
    private readonly List<string> _renewed = [];
    private readonly HashSet<string> _awaitingConfig = new(StringComparer.Ordinal);
    private BpfObject[]? _entryObjects;

    /// <summary>True when this datapath took over a running one left in its pin folder.</summary>
    public bool Adopted => _adopting;

    /// <summary>True while the adopted chain still serves and this one waits to be switched in (<see cref="SwitchToNewChain"/>).</summary>
    public bool SwitchPending => _adopting && !_started && _entryObjects is not null;

    /// <summary>The plugins whose maps were built anew: the switch waits until they hold the configuration.</summary>
    public IReadOnlyCollection<string> AwaitingConfig => _awaitingConfig;

    /// <summary>What was adopted; null when the datapath started on an empty folder.</summary>
    public AdoptionState? Adoption => _adopting
        ? new AdoptionState(_options.PinFolder, _previous, _carried.ToList(), _renewed.ToList(), _started,
            _started ? [] : _awaitingConfig.Select(p => $"plugin {p}: its new maps must hold the first configuration").ToList())
        : null;

    /// <summary>Where the cgroup links of an instance are pinned.</summary>
    public static string LinksFolder(string pinFolder) => Path.Combine(pinFolder, LinksFolderName);

    private string PluginPinFolder(string plugin) => Path.Combine(_options.PinFolder, PluginsFolderName, plugin);

    private string StagingFolder => Path.Combine(_options.PinFolder, StagingFolderName);

    /// <summary>
    /// A folder with pinned links is a running data path: adopt it (or refuse, saying why; the
    /// old one keeps serving either way). Anything else left there is a dead instance's: clear it.
    /// </summary>
    private void PreparePinFolder()
    {
        var links = LinksFolder(_options.PinFolder);
        if (Directory.Exists(links) && Directory.EnumerateFileSystemEntries(links).Any())
        {
            // Set first: if the check refuses, Dispose must leave the running data path alone.
            _adopting = true;
            ReadPreviousInstance();
            CheckLinksAreOnCgroup();
            LogAdopting(_log, _options.PinFolder, _previous);
            // An adoption that died before its switch left its half-built chain here: nobody serves from it.
            Kmesh.Bpf.PinFolder.Remove(StagingFolder);
            Kmesh.Bpf.PinFolder.Create(StagingFolder);
            return;
        }
        if (Directory.Exists(_options.PinFolder))
        {
            LogStalePins(_log, _options.PinFolder);
            Kmesh.Bpf.PinFolder.Remove(_options.PinFolder);
        }
        Kmesh.Bpf.PinFolder.Create(_options.PinFolder);
    }

    /// <summary>
    /// Which core made the folder. Another pin layout is refused (this core would not know where
    /// things are); another ABI major, or a folder that does not say, is taken over carrying
    /// nothing: the same make-before-break switch, with every map new.
    /// </summary>
    private void ReadPreviousInstance()
    {
        var folder = _options.PinFolder;
        var path = Path.Combine(folder, InstanceMap);
        if (!File.Exists(path))
        {
            CarryNothing($"unknown: {InstanceMap} is missing");
            return;
        }
        KmInstance info;
        using (var map = BpfMap.OpenPinned(path))
        {
            if (!map.TryLookup(0u, out info) || info.Abi == 0)
            {
                CarryNothing($"unknown: {InstanceMap} is empty");
                return;
            }
        }
        var (major, minor) = ChainAbi.Unpack(info.Abi);
        if (info.PinLayout != PinLayout)
            throw new IOException($"pin folder {folder} holds a running data path (links/), made by a core of chain ABI {major}.{minor} with pin layout {info.PinLayout}; "
                + $"this core knows pin layout {PinLayout} only and leaves it alone (it keeps serving): start the kmesh version that made it, "
                + $"or run `kmesh uninstall --bpffs {folder}` first (connects are not governed until the next start)");
        _previous = $"chain ABI {major}.{minor}";
        if (major != ChainAbi.Major)
            CarryNothing($"{_previous}, another major than this core's {ChainAbi.Major}.{ChainAbi.Minor}: nothing is carried over");
    }

    private void CarryNothing(string previous)
    {
        _carryNothing = true;
        _previous = previous;
        LogCarryNothing(_log, _options.PinFolder, previous);
    }

    /// <summary>Records which core made the folder; a successor checks it before adopting.</summary>
    private static void WriteInstanceInfo(BpfObject connect) =>
        connect.Map(InstanceMap).Update(0u, new KmInstance { Abi = ChainAbi.Packed, PinLayout = PinLayout });

    /// <summary>
    /// Between open and load of any object (core, plugin, telemetry) while adopting: each map it
    /// shares by name is either the running one (layout unchanged: its contents carry over) or
    /// one built beside it under staging/ (the chain's prog arrays always; a map whose layout
    /// changed or whose pin is missing; everything when nothing is carried). Decided once per
    /// name, so every object of the new chain sees the same maps.
    /// </summary>
    private void PlaceSharedMaps(BpfObject bpfObject)
    {
        if (!_adopting || _started)
            return;
        foreach (var map in bpfObject.Maps)
        {
            if (map.IsInternal || map.PinPath is not { } pin)
                continue;
            if (!_sharedMaps.TryGetValue(map.Name, out var renewed))
            {
                renewed = DecideSharedMap(map, pin);
                _sharedMaps[map.Name] = renewed;
                if (renewed is null)
                    _carried.Add(map.Name);
                else if (!IsChainArray(map.Name))
                    _renewed.Add($"{map.Name} ({renewed})");
            }
            if (renewed is not null)
                map.SetPinPath(Path.Combine(StagingFolder, map.Name));
        }
    }

    private static bool IsChainArray(string name) => ChainHooks.All.Any(h => h.ChainMapName() == name);

    /// <summary>
    /// The sk_msg chain array is taken over, not built anew: an accelerated socket keeps the
    /// km_msg it was inserted into km_socks with, and that program tail-calls the array it was
    /// loaded with. A new array would leave the adopted one without a user reference once its pin
    /// is replaced, and the kernel empties such a prog array: those sockets would silently fall
    /// back to the normal path. Its slots are rewritten in place at the switch instead.
    /// </summary>
    private bool FillsAtSwitch(ChainHook hook) =>
        _adopting && !_started && hook == ChainHook.SkMsg && _sharedMaps.TryGetValue(hook.ChainMapName(), out var renewed) && renewed is null;

    /// <summary>Null when the pinned map is taken over; else why this one is built anew.</summary>
    private string? DecideSharedMap(BpfMap map, string pin)
    {
        if (map.Name == ChainHook.SkMsg.ChainMapName() && !_carryNothing && File.Exists(pin))
        {
            using var live = BpfMap.OpenPinned(pin);
            if (SameLayout(live, map))
                return null;
        }
        if (IsChainArray(map.Name))
            return "the new chain";
        if (map.Name == InstanceMap)
            return File.Exists(pin) ? null : "pin missing"; // rewritten at the switch anyway
        if (_carryNothing)
            return "not carried across versions";
        if (!File.Exists(pin))
            return "pin missing";
        try
        {
            using var live = BpfMap.OpenPinned(pin);
            return SameLayout(live, map) ? null : "layout changed";
        }
        catch (Exception e) when (e is BpfException or InvalidOperationException)
        {
            return $"unreadable pin: {e.Message}";
        }
    }

    /// <summary>
    /// Between open and load of an adopted plugin: its maps take over the pinned ones whose
    /// layout (type, key, value, capacity, flags) is unchanged; the others start empty, and the
    /// switch then waits until the first configuration is in them.
    /// </summary>
    private void ReusePinnedMaps(string plugin, BpfObject bpfObject)
    {
        var carried = new List<string>();
        var recreated = new List<string>();
        var folderExists = Directory.Exists(PluginPinFolder(plugin));
        foreach (var map in OwnMaps(bpfObject))
        {
            var path = Path.Combine(PluginPinFolder(plugin), map.Name);
            string? why;
            if (_carryNothing)
                why = "not carried across versions";
            else if (!folderExists)
                why = "new plugin";
            else if (!File.Exists(path))
                why = "pin missing";
            else
            {
                using var live = BpfMap.OpenPinned(path);
                if (SameLayout(live, map))
                {
                    map.ReuseFrom(live);
                    carried.Add(map.Name);
                    _carried.Add($"plugins/{plugin}/{map.Name}");
                    continue;
                }
                why = "layout changed";
            }
            recreated.Add($"{map.Name} ({why})");
            _renewed.Add($"plugins/{plugin}/{map.Name} ({why})");
        }
        if (recreated.Count > 0)
            _awaitingConfig.Add(plugin);
        LogPluginAdopted(_log, plugin, carried.Count == 0 ? "none" : string.Join(", ", carried), recreated.Count == 0 ? "none" : string.Join(", ", recreated));
    }

    /// <summary>
    /// Pins a plugin's own maps at plugins/NAME/MAP, so a successor can take them over (a pin
    /// replaces the previous one in one rename: after a hot swap or a switch, the maps now serving).
    /// </summary>
    private void PinPluginMaps(ActivePlugin plugin)
    {
        var folder = PluginPinFolder(plugin.Name);
        Directory.CreateDirectory(folder);
        foreach (var map in OwnMaps(plugin.Object))
            map.PinReplacing(Path.Combine(folder, map.Name));
    }

    /// <summary>A plugin's own maps: not .rodata and friends, not the core's km_*, not those libbpf pins by name itself.</summary>
    private static IEnumerable<BpfMap> OwnMaps(BpfObject bpfObject) =>
        bpfObject.Maps.Where(m => !m.IsInternal && !m.Name.StartsWith("km_", StringComparison.Ordinal) && m.PinPath is null);

    /// <summary>After loading an adopted folder's successor: switch at once when every map was taken over.</summary>
    private void FinishAdoptionStart(BpfObject connect, BpfObject peer, BpfObject sockOps, BpfObject skMsg)
    {
        _entryObjects = [connect, peer, sockOps, skMsg];
        if (_awaitingConfig.Count == 0 && !_carryNothing)
        {
            SwitchToNewChain();
            return;
        }
        if (_carryNothing)
        {
            // Every map is new, so every plugin must hold the configuration before the switch.
            foreach (var plugin in _plugins)
                _awaitingConfig.Add(plugin.Name);
        }
        LogSwitchWaits(_log, _options.PinFolder, string.Join(", ", _awaitingConfig.Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// The switch, once this chain's maps hold the configuration in force: the attached entry
    /// programs are swapped (BPF_LINK_UPDATE, one atomic step per hook) to this chain's, then the
    /// pins are made to name what now serves (the new prog arrays and maps renamed into place,
    /// the plugins' maps, km_instance) and the previous chain, referenced by nothing any more,
    /// is freed by the kernel. Connects before the swap ran wholly the old chain, after it wholly
    /// the new one. No-op unless <see cref="SwitchPending"/>.
    /// </summary>
    public void SwitchToNewChain()
    {
        if (!SwitchPending)
            return;
        var (connect, peer, sockOps, skMsg) = (_entryObjects![0], _entryObjects[1], _entryObjects[2], _entryObjects[3]);
        foreach (var hook in ChainHooks.All.Where(FillsAtSwitch))
        {
            // In place, one atomic update per slot; slots the previous chain used beyond this one's emptied.
            FillChain(connect, hook);
            var used = _plugins.Where(p => p.Slots.ContainsKey(hook)).Select(p => p.Slots[hook]).DefaultIfEmpty(-1).Max();
            var chain = new ProgramArray(connect.Map(hook.ChainMapName()));
            for (var slot = used + 1; slot < ChainAbi.MaxPluginsPerHook; slot++)
                chain.Clear((uint)slot);
        }
        Attach(connect, peer, sockOps, skMsg);
        _started = true;
        foreach (var (name, renewed) in _sharedMaps)
        {
            var staged = Path.Combine(StagingFolder, name);
            if (renewed is not null && File.Exists(staged))
                File.Move(staged, Path.Combine(_options.PinFolder, name), overwrite: true); // rename(2): the pin names the new map at once
        }
        Kmesh.Bpf.PinFolder.Remove(StagingFolder);
        foreach (var plugin in _plugins)
            PinPluginMaps(plugin);
        WriteInstanceInfo(connect);
        var plugins = Path.Combine(_options.PinFolder, PluginsFolderName);
        if (Directory.Exists(plugins))
        {
            foreach (var folder in Directory.GetDirectories(plugins))
            {
                if (_plugins.All(p => p.Name != Path.GetFileName(folder)))
                    Kmesh.Bpf.PinFolder.Remove(folder);
            }
        }
        _awaitingConfig.Clear();
        LogSwitched(_log, _options.CgroupPath, _previous, _renewed.Count == 0 ? "none" : string.Join(", ", _renewed));
    }

    /// <summary>
    /// Attaches an entry program: on adoption by swapping the program of the pinned link
    /// (checked to be on this cgroup first); otherwise a new link, pinned when the data path
    /// must outlive the daemon.
    /// </summary>
    private BpfLink AttachEntry(CgroupHandle cgroup, BpfProgram program)
    {
        var pin = Path.Combine(LinksFolder(_options.PinFolder), program.Name);
        if (_adopting && File.Exists(pin))
        {
            var link = BpfLink.OpenPinned(pin);
            try
            {
                var running = link.Info();
                if (!cgroup.QueryPrograms(program.ExpectedAttachType).Contains(running.ProgramId))
                    throw new IOException($"the link pinned at {pin} is not attached to {cgroup.Path}: pin folder {_options.PinFolder} serves another cgroup; pass its --cgroup, or another --bpffs");
                link.Update(program);
                return link;
            }
            catch
            {
                link.Dispose();
                throw;
            }
        }
        if (_adopting)
            LogLinkMissing(_log, pin);
        var created = program.AttachCgroup(cgroup);
        if (_options.KeepOnExit || _adopting)
        {
            try
            {
                Directory.CreateDirectory(LinksFolder(_options.PinFolder));
                created.Pin(pin);
            }
            catch
            {
                created.Dispose();
                throw;
            }
        }
        return created;
    }

    /// <summary>
    /// Before anything is loaded on adoption: every pinned link must be on this cgroup, or this
    /// daemon would build a chain it cannot switch in.
    /// </summary>
    private void CheckLinksAreOnCgroup()
    {
        using var cgroup = CgroupHandle.Open(_options.CgroupPath);
        var attached = EntryHooks.SelectMany(h => cgroup.QueryPrograms(h)).ToHashSet();
        foreach (var pin in Directory.GetFiles(LinksFolder(_options.PinFolder)))
        {
            using var link = BpfLink.OpenPinned(pin);
            if (!attached.Contains(link.Info().ProgramId))
                throw new IOException($"the link pinned at {pin} is not attached to {_options.CgroupPath}: pin folder {_options.PinFolder} serves another cgroup; pass its --cgroup, or another --bpffs");
        }
    }

    /// <summary>The cgroup hooks the entry programs are attached to.</summary>
    private static readonly BpfAttachType[] EntryHooks =
    [
        BpfAttachType.CgroupSockOps, BpfAttachType.CgroupInet4Connect, BpfAttachType.CgroupInet6Connect,
        BpfAttachType.CgroupInet4Getpeername, BpfAttachType.CgroupInet6Getpeername,
    ];

    /// <summary>Stop: leave the data path running (kept, or an adoption that did not switch) or take it down.</summary>
    private bool LeaveRunning => _adopting ? !_started || _options.KeepOnExit : _started && _options.KeepOnExit;

    /// <summary><c>struct km_instance</c> of bpf/connect.bpf.c.</summary>
    private struct KmInstance
    {
        public uint Abi;
        public uint PinLayout;
    }

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Adopting the data path left running in {PinFolder} (made by {Previous}): building this chain beside it")]
    private static partial void LogAdopting(ILogger logger, string pinFolder, string previous);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Plugin {Name} adopted; maps carried over: {Carried}; new: {Recreated}")]
    private static partial void LogPluginAdopted(ILogger logger, string name, string carried, string recreated);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "No link pinned at {Pin} in the adopted folder: attaching anew")]
    private static partial void LogLinkMissing(ILogger logger, string pin);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Left running in {PinFolder}: programs stay attached to {Cgroup} with the last applied config")]
    private static partial void LogLeftRunning(ILogger logger, string pinFolder, string cgroup);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Pin folder {PinFolder} was made by {Previous}: no map is carried over (runtime state starts afresh); the running chain serves until this one holds the configuration")]
    private static partial void LogCarryNothing(ILogger logger, string pinFolder, string previous);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "The adopted chain keeps serving {PinFolder} until the first configuration is in this chain's new maps (plugins {Plugins}); then the entry programs are switched")]
    private static partial void LogSwitchWaits(ILogger logger, string pinFolder, string plugins);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Switched {Cgroup} to this chain (BPF_LINK_UPDATE); the previous one ({Previous}) is released; built anew: {Renewed}")]
    private static partial void LogSwitched(ILogger logger, string cgroup, string previous, string renewed);
}
