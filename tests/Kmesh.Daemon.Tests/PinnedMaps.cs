using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Kmesh.Daemon.Tests;

/// <summary>What the circuit breaker keeps in the kernel, read from its pins with bpftool.</summary>
internal static class PinnedMaps
{
    /// <summary>
    /// Pending and established connections summed over every cluster of <c>cb_conns</c>
    /// (<c>struct cb_conns</c>: three u64, pending, active and refused, mirrored and checked against BTF as ConnectionCounts).
    /// A count that went below zero shows as a huge number.
    /// </summary>
    public static async Task<(ulong Pending, ulong Active)> ConnectionsAsync(string pinFolder)
    {
        ulong pending = 0, active = 0;
        foreach (var (_, value) in await DumpAsync(pinFolder, "cb_conns"))
        {
            pending += BinaryPrimitives.ReadUInt64LittleEndian(value);
            active += BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(8));
        }
        return (pending, active);
    }

    /// <summary>Connects the circuit breaker refused at a limit, summed over every cluster of <c>cb_conns</c> (its third u64).</summary>
    public static async Task<ulong> RefusedAsync(string pinFolder) =>
        (await DumpAsync(pinFolder, "cb_conns")).Aggregate(0UL, (sum, e) => sum + BinaryPrimitives.ReadUInt64LittleEndian(e.Value.AsSpan(16)));

    /// <summary>The marker fixture's pinned <c>mk_counts</c>: connections it marked, and marks it found changed by someone else.</summary>
    public static async Task<(ulong Marked, ulong Changed)> MarkerCountsAsync(string pinFolder)
    {
        var entries = await DumpAsync(pinFolder, Path.Combine("plugins", "marker", "mk_counts"));
        ulong Value(int key) => entries.Where(e => BinaryPrimitives.ReadUInt32LittleEndian(e.Key) == key)
            .Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Value)).Single();
        return (Value(0), Value(1));
    }

    /// <summary>
    /// Entries of <c>km_ejected</c> whose time is still to come: endpoints ejected now.
    /// bpf_ktime_get_ns() and Stopwatch both read CLOCK_MONOTONIC.
    /// </summary>
    public static async Task<int> EjectedNowAsync(string pinFolder) => (await EjectionsLeftAsync(pinFolder)).Count;

    /// <summary>How long each ejection in force still lasts.</summary>
    public static async Task<List<TimeSpan>> EjectionsLeftAsync(string pinFolder)
    {
        var entries = await DumpAsync(pinFolder, "km_ejected");
        var now = MonotonicNs();
        return entries.Select(e => BinaryPrimitives.ReadUInt64LittleEndian(e.Value))
            .Where(until => until > now)
            .Select(until => TimeSpan.FromTicks((long)(until - now) / 100))
            .ToList();
    }

    /// <summary>Open connections counted for LEAST_REQUEST, summed over endpoints (loadbalance's lb_active: u64 per endpoint).</summary>
    public static async Task<ulong> LeastRequestOpenAsync(string pinFolder) =>
        (await DumpAsync(pinFolder, Path.Combine("plugins", "loadbalance", "lb_active"))).Aggregate(0UL, (sum, e) => sum + BinaryPrimitives.ReadUInt64LittleEndian(e.Value));

    /// <summary>Polls until <paramref name="done"/> holds for the least-request count or the timeout passes; returns the last count.</summary>
    public static async Task<ulong> WaitLeastRequestOpenAsync(string pinFolder, Func<ulong, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var open = await LeastRequestOpenAsync(pinFolder);
            if (done(open) || DateTime.UtcNow > deadline)
                return open;
            await Task.Delay(20);
        }
    }

    private static ulong MonotonicNs() => (ulong)Stopwatch.GetTimestamp() * (1_000_000_000UL / (ulong)Stopwatch.Frequency);

    /// <summary>Polls until <paramref name="done"/> holds for the connection counts or the timeout passes; returns the last counts.</summary>
    public static async Task<(ulong Pending, ulong Active)> WaitConnectionsAsync(string pinFolder, Func<(ulong Pending, ulong Active), bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = await ConnectionsAsync(pinFolder);
            if (done(counts) || DateTime.UtcNow > deadline)
                return counts;
            await Task.Delay(20);
        }
    }

    private static async Task<List<(byte[] Key, byte[] Value)>> DumpAsync(string pinFolder, string map)
    {
        var info = new ProcessStartInfo("bpftool", ["-j", "map", "dump", "pinned", Path.Combine(pinFolder, map)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"bpftool map dump pinned {map} failed: {error}");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.EnumerateArray()
            .Select(e => (Bytes(e.GetProperty("key")), Bytes(e.GetProperty("value"))))
            .ToList();
    }

    private static byte[] Bytes(JsonElement element) =>
        element.EnumerateArray().Select(b => byte.Parse(b.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
}
