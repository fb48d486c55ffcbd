using Kmesh.Bpf;

namespace Kmesh.Admin.Endpoints;

/// <summary>A plugin map's description and entries, keys and values decoded through the map's BTF where it has one.</summary>
internal static class MapDump
{
    public static MapSummary Describe(BpfMap map) =>
        new(map.Name, TypeName(map.Type), map.KeySize, map.ValueSize, map.MaxEntries, CountEntries(map));

    public static MapEntries Read(string plugin, BpfMap map, int limit)
    {
        var items = new List<MapItem>();
        var count = 0;
        var key = new byte[map.KeySize];
        var value = new byte[map.ValueBufferSize];
        var decoder = BtfValueDecoder.ForMap(map);
        foreach (var keyBytes in Keys(map))
        {
            count++;
            if (items.Count >= limit)
                continue;
            if (!map.TryLookup(keyBytes, value))
                continue; // removed meanwhile
            items.Add(new MapItem(decoder.DecodeKey(keyBytes), decoder.DecodeValue(value, map.IsPerCpu)));
        }
        return new MapEntries(plugin, map.Name, TypeName(map.Type), map.KeySize, map.ValueSize, map.MaxEntries, count, count > items.Count, items);
    }

    /// <summary>Maps whose entries are data a lookup returns (not programs, sockets or a ring of events).</summary>
    private static bool HoldsData(BpfMap map) => map.Type is BpfMapType.Hash or BpfMapType.Array or BpfMapType.PerCpuHash
        or BpfMapType.PerCpuArray or BpfMapType.LruHash or BpfMapType.LruPerCpuHash or BpfMapType.LpmTrie;

    private static int CountEntries(BpfMap map) => Keys(map).Count();

    private static IEnumerable<byte[]> Keys(BpfMap map)
    {
        if (!HoldsData(map))
            yield break;
        var current = Array.Empty<byte>();
        var next = new byte[map.KeySize];
        var first = true;
        while (first ? map.TryGetNextKey(default, next) : map.TryGetNextKey(current, next))
        {
            first = false;
            current = next.ToArray();
            yield return current;
        }
    }

    private static string TypeName(BpfMapType type) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(type.ToString());

    internal sealed record MapSummary(string Name, string Type, uint KeySize, uint ValueSize, uint MaxEntries, int Entries);

    internal sealed record MapEntries(string Plugin, string Map, string Type, uint KeySize, uint ValueSize, uint MaxEntries, int Entries, bool Truncated, IReadOnlyList<MapItem> Items);

    internal sealed record MapItem(object? Key, object? Value);
}
