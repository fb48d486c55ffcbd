using System.Text;

namespace Kmesh.Bench;

/// <summary>Issue 15's goals for the waypoint against HAProxy in HTTP mode, from the request-path rows.</summary>
public static partial class Report
{
    private static void WaypointGoals(Results r, StringBuilder b)
    {
        if (!r.Variants.Contains("waypoint"))
            return;
        b.AppendLine("## Goals (issue 15: the L7 waypoint)");
        b.AppendLine();
        b.AppendLine("| goal | result | |");
        b.AppendLine("| --- | --- | --- |");
        var latency = new List<string>();
        var throughput = new List<string>();
        int latencyMet = 0, throughputMet = 0;
        foreach (var (mode, conns) in Scenarios)
        {
            var rows = Rows(r, mode, conns);
            var d = rows.First(x => x.Variant == "direct");
            var w = rows.First(x => x.Variant == "waypoint");
            var h = rows.First(x => x.Variant == "haproxy-http");
            var (wAdd, hAdd) = (w.P50 - d.P50, h.P50 - d.P50);
            if (wAdd <= hAdd) latencyMet++;
            if (w.Rps >= 0.8 * h.Rps) throughputMet++;
            latency.Add($"{mode} c={conns}: +{Us(wAdd)} vs +{Us(hAdd)} µs");
            throughput.Add($"{mode} c={conns}: {w.Rps:0} vs {h.Rps:0} req/s ({X(w.Rps / h.Rps)})");
        }
        b.AppendLine(Inv, $"| waypoint's added p50 ≤ HAProxy HTTP mode's | **{(latencyMet == Scenarios.Length ? "met" : "missed")}** ({latencyMet} of {Scenarios.Length} scenarios) | {string.Join("; ", latency)} |");
        b.AppendLine(Inv, $"| waypoint's req/s ≥ 0.8× HAProxy HTTP mode's | **{(throughputMet == Scenarios.Length ? "met" : "missed")}** ({throughputMet} of {Scenarios.Length} scenarios) | {string.Join("; ", throughput)} |");
        b.AppendLine();
    }
}
