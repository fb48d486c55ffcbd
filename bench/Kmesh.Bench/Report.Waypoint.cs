using System.Text;

namespace Kmesh.Bench;

/// <summary>Issue 15's goals for the waypoint against HAProxy in HTTP mode, from the request-path rows; the report of <c>--only waypoint</c>.</summary>
public static partial class Report
{
    private static readonly string[] WaypointNames = ["waypoint", "waypoint-before"];

    private static void WaypointGoals(Results r, StringBuilder b)
    {
        if (!r.Variants.Contains("waypoint"))
            return;
        b.AppendLine("## Goals (issue 15: the L7 waypoint)");
        b.AppendLine();
        b.AppendLine("| goal | result | |");
        b.AppendLine("| --- | --- | --- |");
        foreach (var name in WaypointNames.Where(r.Variants.Contains))
        {
            var label = name == "waypoint" ? "waypoint" : "waypoint (baseline build)";
            var latency = new List<string>();
            var throughput = new List<string>();
            int latencyMet = 0, throughputMet = 0;
            foreach (var (mode, conns) in Scenarios)
            {
                var rows = Rows(r, mode, conns);
                var d = rows.First(x => x.Variant == "direct");
                var w = rows.First(x => x.Variant == name);
                var h = rows.First(x => x.Variant == "haproxy-http");
                var (wAdd, hAdd) = (w.P50 - d.P50, h.P50 - d.P50);
                if (wAdd <= hAdd) latencyMet++;
                if (w.Rps >= 0.8 * h.Rps) throughputMet++;
                latency.Add($"{mode} c={conns}: +{Us(wAdd)} vs +{Us(hAdd)} µs");
                throughput.Add($"{mode} c={conns}: {w.Rps:0} vs {h.Rps:0} req/s ({X(w.Rps / h.Rps)})");
            }
            b.AppendLine(Inv, $"| {label}'s added p50 ≤ HAProxy HTTP mode's | **{(latencyMet == Scenarios.Length ? "met" : "missed")}** ({latencyMet} of {Scenarios.Length} scenarios) | {string.Join("; ", latency)} |");
            b.AppendLine(Inv, $"| {label}'s req/s ≥ 0.8× HAProxy HTTP mode's | **{(throughputMet == Scenarios.Length ? "met" : "missed")}** ({throughputMet} of {Scenarios.Length} scenarios) | {string.Join("; ", throughput)} |");
        }
        b.AppendLine();
    }

    /// <summary>
    /// The report of <c>--only waypoint</c> (<c>DATE-MACHINE-waypoint.md</c>): the goals, then per
    /// scenario the median of each variant with its added p50 and the proxy's CPU per request, and
    /// every round's figures, since on a shared machine the spread says as much as the median.
    /// </summary>
    private static string WriteWaypointOnly(Results r, string outDir)
    {
        var md = Path.Combine(outDir, $"{DateTime.UtcNow:yyyy-MM-dd}-{MachineInfo.ShortName()}-waypoint{(r.Quick ? "-quick" : "")}.md");
        var b = new StringBuilder();
        b.AppendLine(Inv, $"# Kmesh benchmark, the waypoint's request-path rows only: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine();
        b.AppendLine(Inv, $"`./kmesh bench --only waypoint{(r.Quick ? " --quick" : "")}`, one run of {r.TotalSeconds / 60:0.0} minutes: nginx, HAProxy (HTTP mode) and the waypoint(s) in one network namespace, no daemon. Every figure below was measured in this run; variants rotated round by round.");
        b.AppendLine();
        Machine(r, b);
        WaypointGoals(r, b);
        foreach (var (mode, conns) in Scenarios)
        {
            var rows = Rows(r, mode, conns);
            var d = rows.First(x => x.Variant == "direct");
            var h = rows.First(x => x.Variant == "haproxy-http");
            b.AppendLine(Inv, $"## {mode}, {conns} connection{(conns > 1 ? "s" : "")}");
            b.AppendLine();
            b.AppendLine("| variant | req/s | req/s / HAProxy HTTP | p50 µs | added p50 µs | p99 µs | CPU µs/request | req/s each round | errors |");
            b.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
            foreach (var x in rows)
            {
                var samples = r.Requests.Where(s => s.Mode == mode && s.Conns == conns && s.Variant == x.Variant).OrderBy(s => s.Round).ToList();
                var cpu = samples.Where(s => s.CpuUsPerRequest is not null).Select(s => s.CpuUsPerRequest!.Value).ToList();
                var added = x.Variant == "direct" ? "" : Us(x.P50 - d.P50);
                b.AppendLine(Inv, $"| {x.Variant} | {x.Rps:0} | {X(x.Rps / h.Rps)} | {Us(x.P50)} | {added} | {Us(x.P99)} | {(cpu.Count > 0 ? Us(Measure.Median(cpu)) : "")} | {string.Join(" / ", samples.Select(s => s.Result.Rps.ToString("0", Inv)))} | {x.Errors} |");
            }
            b.AppendLine();
        }
        var rounds = r.Requests.Select(x => x.Round).Distinct().Count();
        b.Append(Inv, $"Medians of {rounds} round(s). ");
        b.AppendLine("**CPU µs/request**: the proxy process's utime+stime over the run (from /proc) ÷ the requests wrk counted; it depends far less than req/s on what else runs. " +
            "Each waypoint served 64 connections keep-alive and then 64 new connections a second for a while before the first round (`WaypointWarmUpSeconds`): a JIT-compiled server is measured warm, as it runs for days. wrk: 1 thread, `--latency`, HTTP/1.1 to nginx's `return 200`.");
        File.WriteAllText(md, b.ToString());
        return md;
    }
}
