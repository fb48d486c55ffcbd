using System.Text.Json;

namespace Kmesh.Ctl.Documents;

/// <summary>One element of <c>GET /maps/{plugin}</c>.</summary>
internal sealed record MapSummary(string Name, string? Type, int KeySize, int ValueSize, long MaxEntries, long Entries);

/// <summary><c>GET /maps/{plugin}/{map}</c>: a map and (up to the limit) its entries.</summary>
internal sealed record MapContents(
    string? Plugin,
    string? Map,
    string? Type,
    int KeySize,
    int ValueSize,
    long MaxEntries,
    long Entries,
    bool Truncated,
    IReadOnlyList<MapItem>? Items);

/// <summary>One entry, decoded through the map's BTF (or hex strings without BTF).</summary>
internal sealed record MapItem(JsonElement Key, JsonElement Value);
