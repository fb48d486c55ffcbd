using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Reads what the plugins hold in the kernel, to compare runs: the pinned chain arrays name the
/// plugins' programs, each program names its maps, and bpftool dumps them.
/// </summary>
internal static class KernelMaps
{
    /// <summary>Map name → its entries, sorted, as text. Read-only data and per-CPU maps are left out.</summary>
    public static async Task<Dictionary<string, string>> DumpAsync(string pinFolder)
    {
        var programs = new SortedSet<uint>();
        foreach (var chain in new[] { "km_chain_c4", "km_chain_c6" })
        {
            using var entries = await BpftoolAsync("map", "dump", "pinned", Path.Combine(pinFolder, chain));
            foreach (var entry in entries.RootElement.EnumerateArray())
                programs.Add(LittleEndian(entry.GetProperty("value")));
        }
        var maps = new SortedSet<uint>();
        foreach (var program in programs)
        {
            using var info = await BpftoolAsync("prog", "show", "id", program.ToString(CultureInfo.InvariantCulture));
            if (info.RootElement.TryGetProperty("map_ids", out var ids))
                maps.UnionWith(ids.EnumerateArray().Select(i => i.GetUInt32()));
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var map in maps)
        {
            var id = map.ToString(CultureInfo.InvariantCulture);
            using var info = await BpftoolAsync("map", "show", "id", id);
            var name = info.RootElement.GetProperty("name").GetString()!;
            var type = info.RootElement.GetProperty("type").GetString()!;
            if (name.StartsWith("km_", StringComparison.Ordinal) || name.Contains(".rodata", StringComparison.Ordinal) || type.Contains("percpu", StringComparison.Ordinal) || type == "prog_array")
                continue;
            using var dump = await BpftoolAsync("map", "dump", "id", id);
            result[name] = string.Join(" | ", dump.RootElement.EnumerateArray().Select(e => e.GetRawText()).Order(StringComparer.Ordinal));
        }
        return result;
    }

    private static uint LittleEndian(JsonElement bytes) =>
        bytes.EnumerateArray().Select((b, i) => Convert.ToUInt32(b.GetString(), 16) << (8 * i)).Aggregate(0u, (a, b) => a | b);

    private static async Task<JsonDocument> BpftoolAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("bpftool", ["-j", .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"bpftool {string.Join(' ', arguments)} failed: {await process.StandardError.ReadToEndAsync()}");
        return JsonDocument.Parse(output);
    }
}
