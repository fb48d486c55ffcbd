using System.Text.Json;

namespace Kmesh.Ctl.Documents;

/// <summary>One element of <c>GET /plugins</c>.</summary>
internal sealed record PluginDocument(
    string Name,
    string? Version,
    string? Abi,
    string? State,
    string? Reason,
    IReadOnlyList<HookSlot>? Hooks,
    // Raw numbers: a summed u64 counter may not fit a long.
    IReadOnlyDictionary<string, JsonElement>? Counters,
    IReadOnlyList<string>? Maps);

/// <summary>A tail-call slot a plugin holds on a hook.</summary>
internal sealed record HookSlot(string Hook, int Slot);
