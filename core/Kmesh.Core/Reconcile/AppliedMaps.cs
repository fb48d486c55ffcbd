using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Reconcile;

/// <summary>
/// What the core has written into each plugin map: the reconciler's memory of the kernel
/// state, so a new desired state is diffed without reading the maps back.
/// </summary>
public sealed class AppliedMaps
{
    private readonly Dictionary<(string Plugin, string Map), Dictionary<MapKey, byte[]>> _maps = new();

    /// <summary>The entries of one map (empty when never written).</summary>
    public IReadOnlyDictionary<MapKey, byte[]> Entries(string plugin, string map) =>
        _maps.TryGetValue((plugin, map), out var entries) ? entries : EmptyEntries;

    /// <summary>Every map written so far for a plugin.</summary>
    public IEnumerable<string> MapsOf(string plugin) => _maps.Keys.Where(k => k.Plugin == plugin).Select(k => k.Map);

    /// <summary>Records that an operation took effect in the kernel.</summary>
    public void Record(string plugin, string map, in MapOp op)
    {
        if (!_maps.TryGetValue((plugin, map), out var entries))
            _maps[(plugin, map)] = entries = new Dictionary<MapKey, byte[]>();
        if (op.Kind == MapOpKind.Upsert)
            entries[op.Key] = op.Value!;
        else
            entries.Remove(op.Key);
    }

    /// <summary>Forgets one map: it was replaced by a new, empty one (a plugin upgrade changed its layout).</summary>
    public void Forget(string plugin, string map) => _maps.Remove((plugin, map));

    /// <summary>Forgets a plugin (it left the chain, its maps went with its object).</summary>
    public void Forget(string plugin)
    {
        foreach (var key in _maps.Keys.Where(k => k.Plugin == plugin).ToList())
            _maps.Remove(key);
    }

    private static readonly IReadOnlyDictionary<MapKey, byte[]> EmptyEntries = new Dictionary<MapKey, byte[]>();
}
