using System.Text;

namespace Kmesh.Bench;

/// <summary>The telemetry-cost section of the report (issue 11): the chain's ns per connection with counting off, on, and with the access log.</summary>
public static partial class Report
{
    /// <summary>Issue 11: counting may add at most this much to a connection's eBPF time.</summary>
    private const double TelemetryGoalNs = 50;

    private sealed record TelemetryRow(string Variant, string Flags, double ConnectNs, double SockOpsNs, double SockOpsRuns, double ConnectP50, int Blocks, long Errors)
    {
        public double TotalNs => ConnectNs + SockOpsNs;
    }

    private static List<TelemetryRow> TelemetryRows(Results r) =>
        [.. Bench.TelemetryVariants.Concat(Bench.TelemetryBaselineVariants).Where(v => r.Telemetry.Any(x => x.Variant == v.Name)).Select(v =>
        {
            var s = r.Telemetry.Where(x => x.Variant == v.Name).ToList();
            return new TelemetryRow(v.Name, v.Flags, Measure.Median(s.Select(x => x.ConnectNs)), Measure.Median(s.Select(x => x.SockOpsNs)),
                Measure.Median(s.Select(x => x.SockOpsRuns)), Measure.Median(s.Select(x => x.ConnectP50)), s.Count, s.Sum(x => (long)x.Errors));
        })];

    /// <summary>
    /// The median over cycles of (variant − off) per connection: each cycle measured every variant
    /// back to back, so pairing within a cycle cancels the load that moves all of them. A baseline
    /// build's variant is paired with that build's off.
    /// </summary>
    private static double PairedDelta(Results r, string variant, Func<TelemetrySample, double> pick) =>
        Measure.Median(r.Telemetry.Where(x => x.Variant == variant)
            .Select(x => (x, off: r.Telemetry.FirstOrDefault(y => y.Variant == Bench.TelemetryReference(variant) && y.Round == x.Round)))
            .Where(p => p.off is not null)
            .Select(p => pick(p.x) - pick(p.off!)));

    private static double Total(TelemetrySample s) => s.ConnectNs + s.SockOpsNs;

    /// <summary>
    /// A distribution-free 95% interval of the median of (variant − off) per cycle: the order
    /// statistics n/2 ± 0.98·√n of the sorted differences (the binomial sign-test interval).
    /// </summary>
    private static (double Lo, double Hi) DeltaInterval(Results r, string variant)
    {
        var d = r.Telemetry.Where(x => x.Variant == variant)
            .Select(x => (x, off: r.Telemetry.FirstOrDefault(y => y.Variant == Bench.TelemetryReference(variant) && y.Round == x.Round)))
            .Where(p => p.off is not null).Select(p => Total(p.x) - Total(p.off!)).Order().ToList();
        if (d.Count < 6)
            return (double.NaN, double.NaN);
        var half = 0.98 * Math.Sqrt(d.Count);
        return (d[Math.Max(0, (int)Math.Floor(d.Count / 2.0 - half))], d[Math.Min(d.Count - 1, (int)Math.Ceiling(d.Count / 2.0 + half))]);
    }

    /// <summary>
    /// The report of <c>--only telemetry</c>: section 2b and issue 11's goals alone, in a file of
    /// its own (<c>DATE-MACHINE-telemetry.md</c>), so it is never taken for a whole run.
    /// </summary>
    private static string WriteTelemetryOnly(Results r, string outDir)
    {
        var md = Path.Combine(outDir, $"{DateTime.UtcNow:yyyy-MM-dd}-{MachineInfo.ShortName()}-telemetry{(r.Quick ? "-quick" : "")}.md");
        var b = new StringBuilder();
        b.AppendLine(Inv, $"# Kmesh benchmark, section 2b only: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine();
        b.AppendLine(Inv, $"`./kmesh bench --only telemetry{(r.Quick ? " --quick" : "")}`, one run of {r.TotalSeconds / 60:0.0} minutes: the set-up, then only what counting and the access log cost a connection (section 2b of a whole run; sections 1, 1b, 2, 3 and 4 were not run). {r.TelemetryCycles} cycles. Every figure below was measured in this run on this machine; the differences pair variants measured back to back in the same cycle.");
        b.AppendLine();
        Machine(r, b);
        TelemetryGoals(r, b);
        TelemetryCost(r, b);
        File.WriteAllText(md, b.ToString());
        return md;
    }

    private static void TelemetryGoals(Results r, StringBuilder b)
    {
        if (r.Telemetry.Count == 0)
            return;
        var delta = PairedDelta(r, "counters", Total);
        var (lo, hi) = DeltaInterval(r, "counters");
        b.AppendLine("## Goals (issue 11: counting must not cost connects)");
        b.AppendLine();
        b.AppendLine("| goal | result | |");
        b.AppendLine("| --- | --- | --- |");
        b.AppendLine(Inv, $"| traffic counters add ≤ +{TelemetryGoalNs:0} ns per connection (connect hook + sockops, on vs off) | **{(delta <= TelemetryGoalNs ? "met" : "missed")}** | " +
            $"{Signed(delta)} ns (median of the per-cycle differences, 95% interval {Signed(lo)} … {Signed(hi)} ns; connect hook {Signed(PairedDelta(r, "counters", s => s.ConnectNs))}, sockops {Signed(PairedDelta(r, "counters", s => s.SockOpsNs))}). " +
            $"{TelemetryWhy(delta, lo, hi)} See section 2b. |");
        if (r.Telemetry.Any(x => x.Variant == "counters (before)"))
        {
            var (blo, bhi) = DeltaInterval(r, "counters (before)");
            b.AppendLine(Inv, $"| (the baseline build, measured in the same cycles: `--telemetry-baseline`) | before | {Signed(PairedDelta(r, "counters (before)", Total))} ns (95% interval {Signed(blo)} … {Signed(bhi)} ns; connect hook {Signed(PairedDelta(r, "counters (before)", s => s.ConnectNs))}, sockops {Signed(PairedDelta(r, "counters (before)", s => s.SockOpsNs))}) |");
        }
        b.AppendLine("| per-CPU counters, not shared ones | **met** | km_cluster_traffic (routed connections, by cluster id) is a `BPF_MAP_TYPE_PERCPU_ARRAY` and km_traffic (refusals, and what the array has no slot for) a `BPF_MAP_TYPE_PERCPU_HASH`: each CPU adds to its own copy of a service's counters (an atomic add on a CPU-local line, against a softirq on the same CPU); the daemon sums the CPUs when it reads. |");
        b.AppendLine();
    }

    private static string TelemetryWhy(double delta, double lo, double hi)
    {
        var what = "Counting a routed connection is, at established, flags kept on the socket (the start time too, only with the access log), and at close one per-CPU array lookup by cluster id (km_cluster_traffic; no hashing), three atomic adds on a CPU-local line (closed, which also stands for opened, and bytes both ways) and the payload arithmetic; while it is open, the live-bytes iterator counts it as opened at scrape time (off skips all of it).";
        if (!double.IsFinite(lo))
            return what + " Too few cycles for an interval.";
        if (hi <= TelemetryGoalNs)
            return what + $" The whole interval is within the goal: met with this run's precision.";
        if (lo > TelemetryGoalNs)
            return what + $" The whole interval is above the goal: missed beyond this run's noise.";
        return what + $" The interval straddles the goal: this run cannot decide it more finely than that (a shared machine's noise); the verdict is the median's.";
    }

    private static string Signed(double v) => double.IsFinite(v) ? (v >= 0 ? "+" : "−") + Math.Abs(v).ToString("0", Inv) : "n/a";

    private static void TelemetryCost(Results r, StringBuilder b)
    {
        if (r.Telemetry.Count == 0)
            return;
        var rows = TelemetryRows(r);
        var off = rows[0];
        b.AppendLine("## 2b. What counting costs a connection (issue 11)");
        b.AppendLine();
        b.AppendLine(string.Create(Inv, $"{(rows.Count > 3 ? "Five daemons (the last two of the baseline build given with `--telemetry-baseline`, its off and its counters, each compared with its own off)" : "Three daemons")} with the same mesh ({Bench.TelemetryServices} services × 10 endpoints) and the same full chain, each on a sibling cgroup: telemetry **off** (`kmesh run --traffic-counters off`: the kernel's counting code is pruned at load), **counters** (the default: Istio's TCP metrics and `kmesh_connections_denied_total` from km_cluster_traffic and km_traffic) and **counters + access log** (`--access-log FILE`, a file in the bench's temp folder). " +
            $"One client process (`kmb-connect alt`) moves itself into each cgroup in turn and dials {Bench.TelemetryBlockSize} VIPs there (a block), the order rotated every cycle, reading the programs' bpf_stats itself before and after each block (no process start between blocks, so blocks can be short and adjacent blocks see the same load); every connect is established (a listener accepts on every endpoint) and closed with RST. " +
            $"`kernel.bpf_stats_enabled=1`: **connect hook** = Δrun_time_ns / Δrun_cnt of the cgroup's connect4 entry program (entry + every plugin + commit, as in section 2); **sockops** = Δrun_time_ns of the cgroup's sock_ops program ({r.SockOpsProgram}; the plugins' sockops programs run inside it as tail calls) / connections made. " +
            $"Counting happens there, in the core's sockops entry: at established it marks the connection opened on the socket, at TCP_CLOSE it adds closed (which also stands for opened: the reader makes opened = closed + open connections) and bytes to the cluster's slot of the per-CPU array km_cluster_traffic (open connections are counted at scrape time by the live-bytes iterator, outside the data path); a routed connect costs commit nothing more, only a refused one is counted in commit (km_traffic). The access log's records wake the daemon's reader only when 64 KiB are unread, not one by one (the reader drains the ring every 100 ms anyway)."));
        b.AppendLine();
        b.AppendLine("| variant | flags | connect hook (ns/connect) | sockops (ns/connection) | sockops runs per connection | connect hook + sockops | vs off: median of per-cycle differences (95% interval) | connect() p50 | blocks | failed connects |");
        b.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var x in rows)
        {
            var (lo, hi) = DeltaInterval(r, x.Variant);
            var vsOff = x.Variant == Bench.TelemetryReference(x.Variant) ? "–" : $"**{Signed(PairedDelta(r, x.Variant, Total))} ns** ({Signed(lo)} … {Signed(hi)}; hook {Signed(PairedDelta(r, x.Variant, s => s.ConnectNs))}, sockops {Signed(PairedDelta(r, x.Variant, s => s.SockOpsNs))})";
            b.AppendLine(Inv, $"| {x.Variant} | `{x.Flags}` | {x.ConnectNs:0} | {x.SockOpsNs:0} | {x.SockOpsRuns:0.0} | {x.TotalNs:0} | {vsOff} | {x.ConnectP50 / 1000:0.00} µs | {x.Blocks} | {x.Errors} |");
        }
        b.AppendLine();
        var spread = r.Telemetry.GroupBy(x => x.Variant).Select(g =>
            $"{g.Key} {Measure.Percentile([.. g.Select(Total)], 0.1):0}–{Measure.Percentile([.. g.Select(Total)], 0.9):0}");
        b.AppendLine(Inv, $"Connect hook + sockops per block, 10th–90th percentile (ns), the noise the paired differences cancel: {string.Join("; ", spread)}. " +
            $"Goal: the counters' difference ≤ +{TelemetryGoalNs:0} ns. {r.Telemetry.Count(x => x.Variant == off.Variant)} blocks per variant; cells are medians over blocks. " +
            $"The sockops figure also holds the plugins' sockops programs (tail calls: circuit breaking and least-request counting follow every connection, acceleration looks for a local peer), the same in every variant.");
        b.AppendLine();
        if (r.TelemetryChecks.Count > 0)
        {
            b.AppendLine("Each variant did what its flags say (read from its daemon after the rounds):");
            b.AppendLine();
            b.AppendLine("| variant | connections made | `istio_tcp_connections_opened_total` | access-log lines | access-log records dropped (ring full) |");
            b.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var c in r.TelemetryChecks)
                b.AppendLine(Inv, $"| {c.Variant} | {c.Connections} | {c.CountedOpened:0} | {(c.Variant.Contains("log", StringComparison.Ordinal) ? c.LogLines.ToString(Inv) : "–")} | {c.LogDropped} |");
            b.AppendLine();
            b.AppendLine("A dropped record took the cheaper path (the ring had no room: one per-CPU add instead of the record), so drops make the access-log figure a little low.");
            b.AppendLine();
        }
    }
}
