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

    /// <summary>Records that the first <paramref name="count"/> operations of a step took effect in the kernel.</summary>
    public void Record(string plugin, string map, IReadOnlyList<MapOp> ops, int count)
    {
        if (count >= ReserveFrom && ops[0].Kind == MapOpKind.Upsert)
            Reserve(plugin, map, ops, count);
        for (var i = 0; i < count; i++)
            Record(plugin, map, ops[i]);
    }

    /// <summary>Below this many upserts, growing as usual costs nothing worth avoiding.</summary>
    private const int ReserveFrom = 1024;

    /// <summary>
    /// Makes room for the new keys among <paramref name="count"/> upserts, with an eighth to spare.
    /// Grown one doubling at a time, a first write of 100 000 entries ends in a table up to twice
    /// its size (held in the large object heap for the daemon's life) and leaves each smaller table
    /// behind as garbage; the spare eighth keeps a slightly larger mesh later from doubling it.
    /// </summary>
    private void Reserve(string plugin, string map, IReadOnlyList<MapOp> ops, int count)
    {
        if (!_maps.TryGetValue((plugin, map), out var entries))
            _maps[(plugin, map)] = entries = new Dictionary<MapKey, byte[]>();
        var needed = entries.Count;
        for (var i = 0; i < count; i++)
        {
            if (!entries.ContainsKey(ops[i].Key))
                needed++;
        }
        entries.EnsureCapacity(needed + needed / 8);
    }

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
