using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

/// <summary>
/// Hitless restart (issue 13): the pin folder holds the whole data path - the core's maps
/// (pinned by name), every plugin map (<c>plugins/NAME/MAP</c>), the cgroup links
/// (<c>links/PROGRAM</c>, with <see cref="DatapathOptions.KeepOnExit"/>) and <c>km_instance</c>
/// (which core made it). A daemon that finds links there adopts the folder instead of
/// clearing it: it reuses every map whose layout is unchanged, so runtime state (buckets,
/// cursors, counts, ejections, the sockhash, traffic counters) carries over, fills the
/// prog-array slots one atomic update at a time and swaps the attached entry programs with
/// BPF_LINK_UPDATE. The hook is never without a program.
/// </summary>
public sealed partial class ChainDatapath
{
    private const string LinksFolderName = "links";
    private const string PluginsFolderName = "plugins";
    private const string InstanceMap = "km_instance";

    /// <summary>How the folder is laid out (links/, plugins/, km_instance); bumped when that changes.</summary>
    public const uint PinLayout = 1;

    private bool _adopting;
    private bool _started;

    /// <summary>True when this datapath took over a running one left in its pin folder.</summary>
    public bool Adopted => _adopting;

    /// <summary>Where the cgroup links of an instance are pinned.</summary>
    public static string LinksFolder(string pinFolder) => Path.Combine(pinFolder, LinksFolderName);

    private string PluginPinFolder(string plugin) => Path.Combine(_options.PinFolder, PluginsFolderName, plugin);

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
            CheckAdoptable();
            LogAdopting(_log, _options.PinFolder);
            return;
        }
        if (Directory.Exists(_options.PinFolder))
        {
            LogStalePins(_log, _options.PinFolder);
            Kmesh.Bpf.PinFolder.Remove(_options.PinFolder);
        }
        Kmesh.Bpf.PinFolder.Create(_options.PinFolder);
    }

    private void CheckAdoptable()
    {
        var folder = _options.PinFolder;
        var what = $"pin folder {folder} holds a running data path (links/)";
        var todo = $"start the kmesh version that made it, or run `kmesh uninstall --bpffs {folder}` first (connects are not governed until the next start)";
        var path = Path.Combine(folder, InstanceMap);
        if (!File.Exists(path))
            throw new IOException($"{what} but no {InstanceMap}, so this kmesh cannot tell which version made it and does not adopt it: {todo}");
        using var map = BpfMap.OpenPinned(path);
        if (!map.TryLookup(0u, out KmInstance info) || info.Abi == 0)
            throw new IOException($"{what} but its {InstanceMap} is empty (the previous daemon died while starting): {todo}");
        var (major, minor) = ChainAbi.Unpack(info.Abi);
        if (major != ChainAbi.Major || minor != ChainAbi.Minor || info.PinLayout != PinLayout)
            throw new IOException($"{what}, made by a core of chain ABI {major}.{minor} (pin layout {info.PinLayout}); this core speaks {ChainAbi.Major}.{ChainAbi.Minor} (pin layout {PinLayout}) and adopts only its own (an upgrade across versions is not implemented yet): {todo}");
    }

    /// <summary>Records which core made the folder; a successor checks it before adopting.</summary>
    private static void WriteInstanceInfo(BpfObject connect) =>
        connect.Map(InstanceMap).Update(0u, new KmInstance { Abi = ChainAbi.Packed, PinLayout = PinLayout });

    /// <summary>
    /// Between open and load of an adopted plugin: its maps take over the pinned ones whose
    /// layout (type, key, value, capacity, flags) is unchanged; the others start empty.
    /// </summary>
    private void ReusePinnedMaps(string plugin, BpfObject bpfObject)
    {
        var carried = new List<string>();
        var recreated = new List<string>();
        foreach (var map in OwnMaps(bpfObject))
        {
            var path = Path.Combine(PluginPinFolder(plugin), map.Name);
            if (!File.Exists(path))
            {
                recreated.Add($"{map.Name} (not pinned)");
                continue;
            }
            using var live = BpfMap.OpenPinned(path);
            if (SameLayout(live, map))
            {
                map.ReuseFrom(live);
                carried.Add(map.Name);
            }
            else
            {
                recreated.Add($"{map.Name} (layout changed)");
            }
        }
        LogPluginAdopted(_log, plugin, carried.Count == 0 ? "none" : string.Join(", ", carried), recreated.Count == 0 ? "none" : string.Join(", ", recreated));
    }

    /// <summary>
    /// Pins a plugin's own maps at plugins/NAME/MAP, so a successor can take them over (a pin
    /// replaces the previous one in one rename: after a hot swap, the new version's maps).
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

    /// <summary>
    /// After adoption: slots the previous chain used beyond this one's are emptied (each its own
    /// atomic update), and pins of plugins no longer in the chain go.
    /// </summary>
    private void DropLeftovers(BpfObject connect)
    {
        foreach (var hook in ChainHooks.All)
        {
            var used = _plugins.Where(p => p.Slots.ContainsKey(hook)).Select(p => p.Slots[hook]).DefaultIfEmpty(-1).Max();
            var chain = new ProgramArray(connect.Map(hook.ChainMapName()));
            for (var slot = used + 1; slot < ChainAbi.MaxPluginsPerHook; slot++)
                chain.Clear((uint)slot);
        }
        var plugins = Path.Combine(_options.PinFolder, PluginsFolderName);
        if (!Directory.Exists(plugins))
            return;
        foreach (var folder in Directory.GetDirectories(plugins))
        {
            if (_plugins.All(p => p.Name != Path.GetFileName(folder)))
                Kmesh.Bpf.PinFolder.Remove(folder);
        }
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

    /// <summary>Stop: leave the data path running (kept, or an adoption that did not finish) or take it down.</summary>
    private bool LeaveRunning => _adopting ? !_started || _options.KeepOnExit : _started && _options.KeepOnExit;

    /// <summary><c>struct km_instance</c> of bpf/connect.bpf.c.</summary>
    private struct KmInstance
    {
        public uint Abi;
        public uint PinLayout;
    }

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Adopting the data path left running in {PinFolder}")]
    private static partial void LogAdopting(ILogger logger, string pinFolder);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Plugin {Name} adopted; maps carried over: {Carried}; new: {Recreated}")]
    private static partial void LogPluginAdopted(ILogger logger, string name, string carried, string recreated);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "No link pinned at {Pin} in the adopted folder: attaching anew")]
    private static partial void LogLinkMissing(ILogger logger, string pin);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Left running in {PinFolder}: programs stay attached to {Cgroup} with the last applied config")]
    private static partial void LogLeftRunning(ILogger logger, string pinFolder, string cgroup);
}
