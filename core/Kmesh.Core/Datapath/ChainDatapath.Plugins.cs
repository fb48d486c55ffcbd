using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

public sealed partial class ChainDatapath
{
    private const string AbiGlobal = "km_abi_version";

    /// <summary>
    /// Loads the chosen plugins in chain order. Slots are handed out as plugins succeed, so a
    /// plugin that is left out leaves no hole: the chain stays contiguous.
    /// </summary>
    private void LoadPlugins(IReadOnlyList<PluginCandidate> chosen)
    {
        var nextSlot = ChainHooks.All.ToDictionary(h => h, _ => 0);
        foreach (var candidate in chosen)
        {
            try
            {
                var plugin = LoadPlugin(candidate, nextSlot);
                foreach (var (hook, slot) in plugin.Slots)
                    nextSlot[hook] = slot + 1;
                _plugins.Add(plugin);
                var slots = string.Join(", ", plugin.Slots.Select(s => $"{s.Key.ManifestName()} slot {s.Value}"));
                _statuses.Add(new PluginStatus(candidate.Manifest.Name, candidate.Manifest.Version, true, slots));
                LogPluginLoaded(_log, candidate.Manifest.Name, candidate.Manifest.Version, candidate.Manifest.Abi, slots);
            }
            catch (PluginLoadException e)
            {
                _statuses.Add(new PluginStatus(candidate.Manifest.Name, candidate.Manifest.Version, false, e.Message));
                LogPluginLeftOut(_log, candidate.Manifest.Name, e.Message);
            }
        }
    }

    private ActivePlugin LoadPlugin(PluginCandidate candidate, IReadOnlyDictionary<ChainHook, int> nextSlot)
    {
        var manifest = candidate.Manifest;
        CheckAbi(candidate, manifest.AbiVersion, "its manifest");
        var tag = ConnMarkTag.Of(manifest.Name);
        if (_plugins.FirstOrDefault(p => ConnMarkTag.Of(p.Candidate.Manifest.Name) == tag) is { } sameTag)
            throw new PluginLoadException(candidate, $"its name gives the same connection-mark tag (chain ABI 1.5, km_conn.mark) as plugin {sameTag.Candidate.Manifest.Name}'s, so one could take the other's marks for its own: rename one of them");
        var hooks = manifest.ChainHooks;
        var slots = new Dictionary<ChainHook, int>();
        foreach (var hook in hooks)
        {
            if (nextSlot[hook] >= ChainAbi.MaxPluginsPerHook)
                throw new PluginLoadException(candidate, $"the {hook.ManifestName()} chain is full ({ChainAbi.MaxPluginsPerHook} plugins)");
            slots[hook] = nextSlot[hook];
        }
        var plugin = LoadPluginAt(candidate, slots, adopt: _adopting ? o => ReusePinnedMaps(manifest.Name, o) : null);
        if (_adopting)
            return plugin; // pinned at the switch: until then plugins/NAME/ names the maps the running chain uses
        try
        {
            PinPluginMaps(plugin);
        }
        catch (Exception e) when (e is BpfException or IOException)
        {
            plugin.Dispose();
            throw new PluginLoadException(candidate, $"its maps cannot be pinned under {_options.PinFolder}: {e.Message}", e);
        }
        return plugin;
    }

    /// <summary>
    /// Loads a plugin for the given slots. <paramref name="adopt"/> runs between open and
    /// load, where a replacement takes over its predecessor's maps.
    /// </summary>
    private ActivePlugin LoadPluginAt(PluginCandidate candidate, Dictionary<ChainHook, int> slots, Action<BpfObject>? adopt)
    {
        var manifest = candidate.Manifest;
        var hooks = manifest.ChainHooks;
        var (translator, loader) = TranslatorLoader.Load(candidate, _options.PluginArguments.GetValueOrDefault(manifest.Name));
        BpfObject? bpfObject = null;
        try
        {
            bpfObject = OpenPluginObject(candidate);
            ConfigurePluginObject(candidate, bpfObject, hooks, slots);
            PlaceSharedMaps(bpfObject);
            adopt?.Invoke(bpfObject);
            try
            {
                bpfObject.Load();
            }
            catch (BpfLoadException e)
            {
                throw new PluginLoadException(candidate, $"the kernel refused {manifest.Object} ({e.Message}); verifier log ends:{Environment.NewLine}{e.VerifierLogTail}", e);
            }
            return new ActivePlugin(candidate, translator, loader, bpfObject, slots);
        }
        catch
        {
            bpfObject?.Dispose();
            loader.Dispose();
            throw;
        }
    }

    private BpfObject OpenPluginObject(PluginCandidate candidate)
    {
        if (!File.Exists(candidate.ObjectPath))
            throw new PluginLoadException(candidate, $"object {candidate.ObjectPath} is missing");
        try
        {
            return BpfObject.Open(candidate.ObjectPath, new BpfObjectOptions { PinRoot = _options.PinFolder });
        }
        catch (BpfException e)
        {
            throw new PluginLoadException(candidate, $"cannot open {candidate.Manifest.Object}: {e.Message}", e);
        }
    }

    private void ConfigurePluginObject(PluginCandidate candidate, BpfObject bpfObject, IReadOnlyList<ChainHook> hooks, Dictionary<ChainHook, int> slots)
    {
        if (!bpfObject.TryGetReadOnlyGlobal<uint>(AbiGlobal, out var packedAbi))
            throw new PluginLoadException(candidate, $"{candidate.Manifest.Object} does not say which chain ABI it was built for (no {AbiGlobal}; build it with kmesh/chain.h and KMESH_OBJECT())");
        var objectAbi = ChainAbi.Unpack(packedAbi);
        CheckAbi(candidate, objectAbi, "its object");
        if (objectAbi != candidate.Manifest.AbiVersion)
            throw new PluginLoadException(candidate, $"its manifest says chain ABI {candidate.Manifest.Abi} but {candidate.Manifest.Object} is built for {objectAbi.Major}.{objectAbi.Minor}: rebuild the plugin so that both agree (the SDK's build takes the object's ABI from the manifest)");
        foreach (var hook in hooks.Where(h => h.SinceAbiMinor() > objectAbi.Minor))
            throw new PluginLoadException(candidate, $"{candidate.Manifest.Object} is built for chain ABI {objectAbi.Major}.{objectAbi.Minor}, which has no {hook.ManifestName()} chain (since {ChainAbi.Major}.{hook.SinceAbiMinor()}): rebuild it for a newer ABI or drop the hook from the manifest");

        foreach (var hook in hooks)
        {
            var programs = bpfObject.Programs.Where(p => p.SectionName == hook.SectionName()).ToList();
            if (programs.Count != 1)
                throw new PluginLoadException(candidate, $"the manifest lists hook {hook.ManifestName()}, so the object needs exactly one SEC(\"{hook.SectionName()}\") program; it has {programs.Count}");
            bpfObject.SetReadOnlyGlobal(hook.SlotGlobal(), (uint)slots[hook]);
        }
        // Objects of ABI 1.5 on: the owner tag of the plugin's mark on km_conn (0 would leave the
        // km_conn_mark_* helpers refusing to mark anything).
        if (bpfObject.TryGetReadOnlyGlobal<uint>(ConnMarkTag.Global, out _))
            bpfObject.SetReadOnlyGlobal(ConnMarkTag.Global, ConnMarkTag.Of(candidate.Manifest.Name));
        foreach (var map in bpfObject.Maps)
        {
            if (_options.MapCapacities.TryGetValue($"{candidate.Manifest.Name}.{map.Name}", out var capacity))
                map.SetMaxEntries(capacity);
        }
    }

    private static void CheckAbi(PluginCandidate candidate, (int Major, int Minor) abi, string where)
    {
        if (abi.Major != ChainAbi.Major)
            throw new PluginLoadException(candidate, $"{where} is built for chain ABI {abi.Major}.{abi.Minor}, but this core speaks ABI {ChainAbi.Major}.{ChainAbi.Minor}: rebuild the plugin against a Kmesh SDK of ABI major {ChainAbi.Major}");
        if (abi.Minor > ChainAbi.Minor)
            throw new PluginLoadException(candidate, $"{where} is built for chain ABI {abi.Major}.{abi.Minor}, newer than this core's {ChainAbi.Major}.{ChainAbi.Minor}: upgrade the core");
    }

    private static BpfProgram ChainProgram(ActivePlugin plugin, ChainHook hook) =>
        plugin.Object.Programs.Single(p => p.SectionName == hook.SectionName());

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Plugin {Name} {Version} (ABI {Abi}) in the chain: {Slots}")]
    private static partial void LogPluginLoaded(ILogger logger, string name, string version, string abi, string slots);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Plugin {Name} is left out of the chain: {Reason}")]
    private static partial void LogPluginLeftOut(ILogger logger, string name, string reason);
}
