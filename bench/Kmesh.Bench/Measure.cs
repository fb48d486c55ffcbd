using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kmesh.Bench;

/// <summary>One wrk run: latency percentiles in microseconds, requests per second, socket errors.</summary>
public sealed record WrkResult(double P50, double P75, double P90, double P99, double Rps, long Errors, long Non2xx);

/// <summary>One kmb-connect "lat" run: connect() latency percentiles in ns.</summary>
public sealed record ConnectResult(int Ok, int Err, double P50, double P90, double P99, double Mean);

public static partial class Measure
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static WrkResult ParseWrk(string text)
    {
        double Pct(string p)
        {
            var m = Regex.Match(text, $@"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!m.Success)
                throw new FormatException($"no {p}% line in wrk output:\n{text}");
            var v = double.Parse(m.Groups[1].Value, Inv);
            return m.Groups[2].Value switch { "us" => v, "ms" => v * 1000, _ => v * 1_000_000 };
        }
        var rps = double.Parse(Regex.Match(text, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, Inv);
        long errors = 0;
        var se = Regex.Match(text, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
        if (se.Success)
            errors = Enumerable.Range(1, 4).Sum(i => long.Parse(se.Groups[i].Value, Inv));
        var non = Regex.Match(text, @"Non-2xx or 3xx responses: (\d+)");
        return new WrkResult(Pct("50"), Pct("75"), Pct("90"), Pct("99"), rps, errors, non.Success ? long.Parse(non.Groups[1].Value, Inv) : 0);
    }

    public static ConnectResult ParseConnect(string text)
    {
        double F(string k) => double.Parse(Regex.Match(text, $@"\b{k}=([\d.]+)").Groups[1].Value, Inv);
        return new ConnectResult((int)F("ok"), (int)F("err"), F("p50"), F("p90"), F("p99"), F("mean"));
    }

    /// <summary>run_time_ns and run_cnt of the connect4 program attached to <paramref name="cgroup"/>.</summary>
    public static (long RunTimeNs, long RunCnt, int Id, string Name) EntryStats(string cgroup)
    {
        using var attached = JsonDocument.Parse(Proc.Checked("bpftool", ["cgroup", "show", cgroup, "-j"]));
        var entry = attached.RootElement.EnumerateArray()
            .FirstOrDefault(e => e.GetProperty("attach_type").GetString() is "cgroup_inet4_connect" or "connect4");
        if (entry.ValueKind == JsonValueKind.Undefined)
            throw new InvalidOperationException($"no connect4 program attached to {cgroup}");
        var id = entry.GetProperty("id").GetInt32();
        var (t, c, name) = ProgStats(id);
        return (t, c, id, name);
    }

    /// <summary>
    /// The sock_ops program attached to <paramref name="cgroup"/>: the core's km_sockops (plugins'
    /// sockops programs run as its tail calls, inside its figure); exactly one is expected.
    /// </summary>
    public static (int Id, string Name) SockOpsProgram(string cgroup)
    {
        using var attached = JsonDocument.Parse(Proc.Checked("bpftool", ["cgroup", "show", cgroup, "-j"]));
        // bpftool names the attach type "cgroup_sock_ops" (libbpf's name) or, older, "sock_ops".
        var ids = attached.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("attach_type").GetString() is "cgroup_sock_ops" or "sock_ops")
            .Select(e => e.GetProperty("id").GetInt32()).ToList();
        if (ids.Count != 1)
            throw new InvalidOperationException($"{ids.Count} sock_ops programs attached to {cgroup}; expected the core's one");
        return (ids[0], ProgStats(ids[0]).Name);
    }

    public static (long RunTimeNs, long RunCnt, string Name) ProgStats(int id)
    {
        using var prog = JsonDocument.Parse(Proc.Checked("bpftool", ["prog", "show", "id", id.ToString(Inv), "-j"]));
        var r = prog.RootElement;
        long Get(string k) => r.TryGetProperty(k, out var v) ? v.GetInt64() : 0;
        return (Get("run_time_ns"), Get("run_cnt"), r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "");
    }

    /// <summary>
    /// acc_counters (connections, messages, bytes), summed over CPUs, of the daemon pinning under
    /// <paramref name="pinPath"/>; null when the accelerate plugin is not loaded (no such pin).
    /// </summary>
    public static AccDelta? AccCounters(string pinPath)
    {
        var pin = Path.Combine(pinPath, "acc_counters");
        if (!File.Exists(pin))
            return null;
        using var dump = JsonDocument.Parse(Proc.Checked("bpftool", ["-j", "map", "dump", "pinned", pin]));
        var sums = new ulong[3];
        foreach (var entry in dump.RootElement.EnumerateArray())
        {
            var key = Bytes(entry.GetProperty("key"));
            var index = key.Length == 4 ? BitConverter.ToUInt32(key) : uint.MaxValue;
            if (index >= sums.Length)
                continue;
            foreach (var cpu in entry.GetProperty("values").EnumerateArray())
                sums[index] += BitConverter.ToUInt64(Bytes(cpu.GetProperty("value")));
        }
        return new AccDelta(sums[0], sums[1], sums[2]);
    }

    private static byte[] Bytes(JsonElement hex) =>
        [.. hex.EnumerateArray().Select(b => byte.Parse(b.GetString()!.AsSpan(2), NumberStyles.HexNumber, Inv))];

    /// <summary>Resident set size (VmRSS) of a process in MiB.</summary>
    public static double RssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0;
        }
        return double.NaN;
    }

    /// <summary>utime + stime of a process in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime is field 14, stime 15.
        var ticks = long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        var pos = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(pos);
        var hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 0.5);
}
