using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Datapath;

/// <summary>How a plugin replacement went.</summary>
/// <param name="Plugin">The plugin now in the chain.</param>
/// <param name="CarriedOver">Maps whose contents (config and runtime state) the new version took over.</param>
/// <param name="Recreated">Maps whose layout changed: new and empty, the reconciler fills them again.</param>
public sealed record PluginReplacement(IChainMember Plugin, IReadOnlyList<string> CarriedOver, IReadOnlyList<string> Recreated);

public sealed partial class ChainDatapath
{
    /// <summary>
    /// Stages a new version of an active plugin: it is loaded and verified against the same
    /// slots while the old one keeps serving, taking over every map whose layout (type,
    /// key, value, capacity, flags) is unchanged. Nothing in the chain changes yet: fill the
    /// maps through <see cref="PluginMap"/> (which now answers for the staged version), then
    /// <see cref="CommitReplacement"/> swaps the slots. Throws <see cref="PluginLoadException"/>
    /// (the old version stays, untouched) when the new one cannot load.
    /// </summary>
    public PluginReplacement StageReplacement(PluginCandidate candidate)
    {
        var index = _plugins.FindIndex(p => p.Name == candidate.Manifest.Name);
        if (index < 0)
            throw new PluginLoadException(candidate, "is not in the chain; adding a plugin needs a restart");
        var old = _plugins[index];
        CheckAbi(candidate, candidate.Manifest.AbiVersion, "its manifest");
        var hooks = candidate.Manifest.ChainHooks.ToHashSet();
        if (!hooks.SetEquals(old.Slots.Keys))
            throw new PluginLoadException(candidate, $"serves hooks {string.Join(",", hooks.Select(h => h.ManifestName()))} but the running version serves {string.Join(",", old.Slots.Keys.Select(h => h.ManifestName()))}; changing hooks needs a restart");

        var carried = new List<string>();
        var recreated = new List<string>();
        var staged = LoadPluginAt(candidate, new Dictionary<ChainHook, int>(old.Slots), bpfObject =>
        {
            foreach (var map in bpfObject.Maps)
            {
                if (map.IsInternal || map.Name.StartsWith("km_", StringComparison.Ordinal))
                    continue; // .rodata and friends are per object; km_* are the core's pinned maps
                var live = old.Object.Maps.FirstOrDefault(m => m.Name == map.Name);
                if (live is not null && SameLayout(live, map))
                {
                    map.ReuseFrom(live);
                    carried.Add(map.Name);
                }
                else
                {
                    recreated.Add(map.Name);
                }
            }
        });
        _staged = (index, old, staged);
        ForgetCachedMaps(staged.Name);
        LogStaged(_log, candidate.Manifest.Name, old.Candidate.Manifest.Version, candidate.Manifest.Version,
            carried.Count == 0 ? "none" : string.Join(", ", carried), recreated.Count == 0 ? "none" : string.Join(", ", recreated));
        return new PluginReplacement(staged, carried, recreated);
    }

    /// <summary>
    /// Points the plugin's slots at the staged version (one atomic prog-array update per
    /// hook: a connect runs wholly the old or wholly the new program) and unloads the old one.
    /// </summary>
    public void CommitReplacement()
    {
        var (index, old, staged) = _staged ?? throw new InvalidOperationException("no replacement is staged");
        foreach (var (hook, slot) in staged.Slots)
        {
            var chain = new ProgramArray(_coreObjects[0].Map(hook.ChainMapName()));
            chain.Set((uint)slot, ChainProgram(staged, hook));
        }
        _plugins[index] = staged;
        _staged = null;
        PinPluginMaps(staged); // a successor adopts the version now serving
        var status = _statuses.FindIndex(s => s.Name == staged.Name);
        var slots = string.Join(", ", staged.Slots.Select(s => $"{s.Key.ManifestName()} slot {s.Value}"));
        _statuses[status] = new PluginStatus(staged.Name, staged.Candidate.Manifest.Version, true, slots);
        old.Dispose();
        LogReplaced(_log, staged.Name, old.Candidate.Manifest.Version, staged.Candidate.Manifest.Version);
    }

    /// <summary>Drops a staged version (e.g. its maps could not be filled); the old one serves on.</summary>
    public void AbandonReplacement()
    {
        if (_staged is not { } staged)
            return;
        _staged = null;
        ForgetCachedMaps(staged.Staged.Name);
        staged.Staged.Dispose();
    }

    private (int Index, ActivePlugin Old, ActivePlugin Staged)? _staged;

    /// <summary>
    /// The plugins whose translators and maps the next update uses, in chain order: the
    /// staged version in place of its predecessor while a replacement is prepared.
    /// </summary>
    public IReadOnlyList<ActivePlugin> Translators =>
        _staged is { } staged ? _plugins.Select((p, i) => i == staged.Index ? staged.Staged : p).ToList() : _plugins;

    /// <summary>The version whose maps the reconciler writes: the staged one while a swap is prepared.</summary>
    private ActivePlugin? MapOwner(string plugin) =>
        _staged is { } staged && staged.Staged.Name == plugin ? staged.Staged : _plugins.FirstOrDefault(p => p.Name == plugin);

    private void ForgetCachedMaps(string plugin)
    {
        foreach (var key in _mapCache.Keys.Where(k => k.Plugin == plugin).ToList())
            _mapCache.Remove(key);
    }

    private static bool SameLayout(BpfMap live, BpfMap candidate) =>
        live.Type == candidate.Type && live.KeySize == candidate.KeySize && live.ValueSize == candidate.ValueSize
        && live.MaxEntries == candidate.MaxEntries && live.Flags == candidate.Flags;

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Plugin {Name} {NewVersion} staged to replace {OldVersion}; maps carried over: {Carried}; recreated (layout changed): {Recreated}")]
    private static partial void LogStaged(ILogger logger, string name, string oldVersion, string newVersion, string carried, string recreated);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Plugin {Name} replaced: {OldVersion} -> {NewVersion}, slots swapped")]
    private static partial void LogReplaced(ILogger logger, string name, string oldVersion, string newVersion);
}
