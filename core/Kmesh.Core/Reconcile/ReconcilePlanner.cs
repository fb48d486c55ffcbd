using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Reconcile;

/// <summary>The desired maps of one plugin, in the order the translator declared them.</summary>
/// <param name="Plugin">The plugin.</param>
/// <param name="Maps">The full desired contents of each map (empty when <see cref="Changes"/> says what to do instead).</param>
public sealed record PluginDesiredMaps(string Plugin, IReadOnlyList<DesiredMap> Maps)
{
    /// <summary>
    /// An incremental translation's changes instead of full contents: only the touched keys are
    /// compared with what the maps hold, and written. Null for a full translation.
    /// </summary>
    public IReadOnlyList<MapChanges>? Changes { get; init; }

    /// <summary>A plugin's incremental update.</summary>
    public static PluginDesiredMaps Incremental(string plugin, IReadOnlyList<MapChanges> changes) => new(plugin, []) { Changes = changes };
}

/// <summary>
/// Turns desired map contents into the smallest ordered list of changes that is safe while
/// connects keep flowing. The chain runs plugins in order and each reads what the later
/// ones hold (routing picks a cluster id, load balancing resolves it), and a translator
/// declares its own maps in dependency order. So: new and changed entries go in from the
/// end of the chain backwards, maps in declared order; stale entries go out from the start
/// of the chain forwards, maps in reverse order. A connect never meets a pointer to
/// something that is not there yet or no longer there.
/// </summary>
public static class ReconcilePlanner
{
    /// <summary>Plans the steps from <paramref name="applied"/> to <paramref name="desired"/> (chain order).</summary>
    public static IReadOnlyList<MapStep> Plan(IReadOnlyList<PluginDesiredMaps> desired, AppliedMaps applied)
    {
        var steps = new List<MapStep>();
        for (var p = desired.Count - 1; p >= 0; p--)
        {
            foreach (var changes in desired[p].Changes ?? [])
            {
                var ops = Upserts(changes, applied.Entries(desired[p].Plugin, changes.Name));
                if (ops.Count > 0)
                    steps.Add(new MapStep(desired[p].Plugin, changes.Name, MapOpKind.Upsert, ops));
            }
            foreach (var map in desired[p].Maps)
            {
                var ops = Upserts(map, applied.Entries(desired[p].Plugin, map.Name));
                if (ops.Count > 0)
                    steps.Add(new MapStep(desired[p].Plugin, map.Name, MapOpKind.Upsert, ops));
            }
        }
        foreach (var plugin in desired)
        {
            for (var m = (plugin.Changes?.Count ?? 0) - 1; m >= 0; m--)
            {
                var changes = plugin.Changes![m];
                var ops = Deletes(changes, applied.Entries(plugin.Plugin, changes.Name));
                if (ops.Count > 0)
                    steps.Add(new MapStep(plugin.Plugin, changes.Name, MapOpKind.Delete, ops));
            }
            for (var m = plugin.Maps.Count - 1; m >= 0; m--)
            {
                var map = plugin.Maps[m];
                var ops = Deletes(map, applied.Entries(plugin.Plugin, map.Name));
                if (ops.Count > 0)
                    steps.Add(new MapStep(plugin.Plugin, map.Name, MapOpKind.Delete, ops));
            }
        }
        return steps;
    }

    private static List<MapOp> Upserts(DesiredMap map, IReadOnlyDictionary<MapKey, byte[]> current)
    {
        var ops = new List<MapOp>();
        foreach (var (key, value) in map.Entries)
        {
            if (!current.TryGetValue(key, out var old) || !old.AsSpan().SequenceEqual(value))
                ops.Add(new MapOp(MapOpKind.Upsert, key, value));
        }
        return ops;
    }

    private static List<MapOp> Upserts(MapChanges changes, IReadOnlyDictionary<MapKey, byte[]> current)
    {
        var ops = new List<MapOp>();
        foreach (var (key, value) in changes.Entries)
        {
            if (value is not null && (!current.TryGetValue(key, out var old) || !old.AsSpan().SequenceEqual(value)))
                ops.Add(new MapOp(MapOpKind.Upsert, key, value));
        }
        return ops;
    }

    private static List<MapOp> Deletes(MapChanges changes, IReadOnlyDictionary<MapKey, byte[]> current)
    {
        var ops = new List<MapOp>();
        foreach (var (key, value) in changes.Entries)
        {
            if (value is null && current.ContainsKey(key))
                ops.Add(new MapOp(MapOpKind.Delete, key, null));
        }
        return ops;
    }

    private static List<MapOp> Deletes(DesiredMap map, IReadOnlyDictionary<MapKey, byte[]> current)
    {
        var ops = new List<MapOp>();
        foreach (var key in current.Keys)
        {
            if (!map.Entries.ContainsKey(key))
                ops.Add(new MapOp(MapOpKind.Delete, key, null));
        }
        return ops;
    }
}
