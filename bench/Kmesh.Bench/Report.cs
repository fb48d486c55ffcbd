using System.Globalization;
using System.Text;

namespace Kmesh.Bench;

/// <summary>Writes bench/results/&lt;date&gt;-&lt;machine&gt;.md and its PNG chart (gnuplot).</summary>
public static partial class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly (string Mode, int Conns)[] Scenarios = [("keep-alive", 1), ("keep-alive", 64), ("close", 1), ("close", 64)];

    public sealed record Row(string Variant, double P50, double P90, double P99, double Rps, long Errors);

    /// <summary>Per variant, the median over rounds of each figure (rounds alternate the variants).</summary>
    public static List<Row> Rows(Results r, string mode, int conns) =>
        [.. r.Variants.Select(v =>
        {
            var s = r.Requests.Where(x => x.Mode == mode && x.Conns == conns && x.Variant == v).Select(x => x.Result).ToList();
            return new Row(v, Measure.Median(s.Select(x => x.P50)), Measure.Median(s.Select(x => x.P90)), Measure.Median(s.Select(x => x.P99)),
                Measure.Median(s.Select(x => x.Rps)), s.Sum(x => x.Errors + x.Non2xx));
        })];

    private static double ConnectP(Results r, int n, string variant, Func<ConnectResult, double> pick) =>
        Measure.Median(r.Connects.Where(c => c.Services == n && c.Variant == variant).Select(c => pick(c.Result)));

    private static double Bpf(Results r, int n, string variant) =>
        Measure.Median(r.Connects.Where(c => c.Services == n && c.Variant == variant && c.BpfNsPerConnect is not null).Select(c => c.BpfNsPerConnect!.Value));

    public static (string Markdown, string? Png) Write(Results r, string outDir, string work)
    {
        Directory.CreateDirectory(outDir);
        if (r.Only == "telemetry")
            return (WriteTelemetryOnly(r, outDir), null);
        if (r.Only == "same-node")
            return (WriteSameNodeOnly(r, outDir), null);
        if (r.Only == "waypoint")
            return (WriteWaypointOnly(r, outDir), null);
        if (r.Only == "control-plane")
            return (WriteControlPlaneOnly(r, outDir), null);
        var stem = $"{DateTime.UtcNow:yyyy-MM-dd}-{MachineInfo.ShortName()}{(r.Quick ? "-quick" : "")}";
        var md = Path.Combine(outDir, stem + ".md");
        var png = Path.Combine(outDir, stem + ".png");
        var scales = r.Connects.Select(c => c.Services).Distinct().Order().ToList();
        var b = new StringBuilder();
        b.AppendLine(Inv, $"# Kmesh benchmark: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(r.Quick ? " (--quick)" : "")}");
        b.AppendLine();
        b.AppendLine(Inv, $"`./kmesh bench{(r.Quick ? " --quick" : "")}`, one run of {r.TotalSeconds / 60:0.0} minutes. Every figure below was measured in this run on this machine; ratios compare variants of the same run, which alternated them round by round so drift hits all alike. Chart: [{Path.GetFileName(png)}]({Path.GetFileName(png)}).");
        b.AppendLine();
        Machine(r, b);
        Goals(r, b, scales);
        ControlPlaneGoals(r, b);
        SameNodeGoals(r, b);
        WaypointGoals(r, b);
        TelemetryGoals(r, b);
        RequestPath(r, b);
        SameNode(r, b);
        ConnectCost(r, b, scales);
        TelemetryCost(r, b);
        ControlPlane(r, b);
        b.AppendLine("## 4. Micro-benchmarks (BenchmarkDotNet)");
        b.AppendLine();
        b.AppendLine(r.Micro ?? "Not run in this mode (`--quick` skips them; `./kmesh bench` runs them).");
        b.AppendLine();
        Method(r, b);
        File.WriteAllText(md, b.ToString());
        Chart(r, png, work, scales);
        return (md, png);
    }

    private static string Us(double v) => v.ToString(v < 100 ? "0.0" : "0", Inv);
    private static string X(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) + "×" : "n/a";

    private static void Goals(Results r, StringBuilder b, List<int> scales)
    {
        b.AppendLine("## Goals (issue 6)");
        b.AppendLine();
        b.AppendLine("| goal | result | |");
        b.AppendLine("| --- | --- | --- |");
        // 1. ≤ 1.05× direct at p50 and p99, in every scenario.
        var worst = new List<string>();
        var within = 0;
        var halfHap = 0;
        var hapNotes = new List<string>();
        foreach (var (mode, conns) in Scenarios)
        {
            var rows = Rows(r, mode, conns);
            var d = rows.First(x => x.Variant == "direct");
            var k = rows.First(x => x.Variant == "kmesh");
            var h = rows.First(x => x.Variant == "haproxy-tcp");
            if (k.P50 <= 1.05 * d.P50 && k.P99 <= 1.05 * d.P99) within++;
            var directP99 = r.Requests.Where(x => x.Mode == mode && x.Conns == conns && x.Variant == "direct").Select(x => x.Result.P99).ToList();
            worst.Add($"{mode} c={conns}: p50 {X(k.P50 / d.P50)}, p99 {X(k.P99 / d.P99)} (direct's own p99 spread over the rounds: {Us(directP99.Min())}–{Us(directP99.Max())} µs)");
            var added50 = k.P50 - d.P50; var hadd50 = h.P50 - d.P50;
            var added99 = k.P99 - d.P99; var hadd99 = h.P99 - d.P99;
            if (added50 <= 0.5 * Math.Max(hadd50, 0) + 1e-9 && added99 <= 0.5 * Math.Max(hadd99, 0) + 1e-9) halfHap++;
            hapNotes.Add($"{mode} c={conns}: kmesh adds {Us(added50)}/{Us(added99)} µs (p50/p99), HAProxy TCP {Us(hadd50)}/{Us(hadd99)} µs");
        }
        b.AppendLine(Inv, $"| latency through kmesh ≤ 1.05× direct (p50 and p99) | **{(within == Scenarios.Length ? "met" : "missed")}** ({within} of {Scenarios.Length} scenarios) | {string.Join("; ", worst)} |");
        b.AppendLine(Inv, $"| added latency ≤ 0.5× HAProxy's (TCP mode, the cheaper one) | **{(halfHap == Scenarios.Length ? "met" : "missed")}** ({halfHap} of {Scenarios.Length} scenarios) | {string.Join("; ", hapNotes)}. A negative addition is noise around zero. |");
        if (scales.Count > 0)
        {
            var big = scales.Max();
            var small = scales.Min();
            var bpfBig = Bpf(r, big, "kmesh");
            var bpfSmall = Bpf(r, small, "kmesh");
            b.AppendLine(Inv, $"| whole-chain connect cost ≤ 1 µs at {big} services | **{(bpfBig <= 1000 ? "met" : "missed")}** | {bpfBig:0} ns per connect (bpf_stats of the entry program, which includes the tail-called plugins) |");
            var growth = bpfBig / bpfSmall;
            var iptGrowth = ConnectP(r, big, "iptables", c => c.P50) / ConnectP(r, small, "iptables", c => c.P50);
            b.AppendLine(Inv, $"| flat from {small} to {big} services (within 20%), iptables grows | **{(growth <= 1.2 && iptGrowth > 1.2 ? "met" : "missed")}** | kmesh chain {bpfSmall:0} → {bpfBig:0} ns ({X(growth)}); connect() p50 through iptables DNAT {X(iptGrowth)} |");
        }
        b.AppendLine();
    }

    private static void RequestPath(Results r, StringBuilder b)
    {
        b.AppendLine("## 1. Request path: HTTP/1.1 to a local nginx");
        b.AppendLine();
        b.AppendLine("Latency percentiles in µs (wrk's own distribution), medians over the rounds. Ratios: against direct, and against HAProxy in TCP mode. " +
            "In one-connection-per-request mode wrk starts its latency clock after the connect, so the connect's cost (where kmesh and DNAT act) shows in req/s, and in section 2. " +
            "With keep-alive, a kmesh connection is an ordinary socket to the backend once connected (nothing on the data path), so kmesh versus direct differences there are this machine's noise: they show how large that noise is.");
        b.AppendLine();
        foreach (var (mode, conns) in Scenarios)
        {
            var rows = Rows(r, mode, conns);
            if (rows.All(x => double.IsNaN(x.P50)))
                continue;
            var d = rows.First(x => x.Variant == "direct");
            var h = rows.First(x => x.Variant == "haproxy-tcp");
            b.AppendLine(Inv, $"### {mode}, {conns} connection{(conns > 1 ? "s" : "")}");
            b.AppendLine();
            b.AppendLine("| variant | p50 | p90 | p99 | req/s | p50 / direct | p99 / direct | req/s / direct | p50 / HAProxy TCP | p99 / HAProxy TCP | proxy CPU µs/request | errors |");
            b.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var x in rows)
                b.AppendLine(Inv, $"| {x.Variant} | {Us(x.P50)} | {Us(x.P90)} | {Us(x.P99)} | {x.Rps:0} | {X(x.P50 / d.P50)} | {X(x.P99 / d.P99)} | {X(x.Rps / d.Rps)} | {X(x.P50 / h.P50)} | {X(x.P99 / h.P99)} | {ProxyCpu(r, mode, conns, x.Variant)} | {x.Errors} |");
            b.AppendLine();
            var spread = r.Requests.Where(x => x.Mode == mode && x.Conns == conns).GroupBy(x => x.Variant)
                .Select(g => $"{g.Key} {Us(g.Min(x => x.Result.P99))}–{Us(g.Max(x => x.Result.P99))}");
            b.AppendLine(Inv, $"p99 range over the rounds (µs), a measure of this machine's noise: {string.Join("; ", spread)}.");
            b.AppendLine();
        }
        var rounds = r.Requests.Select(x => x.Round).Distinct().Count();
        b.Append(Inv, $"Each cell is the median of {rounds} round(s); every round ran all variants of a scenario back to back in a rotated order. ");
        b.AppendLine("**Proxy CPU µs/request**: the proxy process's utime+stime over a run (from /proc) ÷ the requests wrk counted; it depends far less than req/s on what else runs.");
        b.AppendLine();
    }

    /// <summary>The proxy process's CPU per request, median over the rounds; empty where no proxy process serves (direct, kmesh, iptables).</summary>
    private static string ProxyCpu(Results r, string mode, int conns, string variant)
    {
        var cpu = r.Requests.Where(x => x.Mode == mode && x.Conns == conns && x.Variant == variant && x.CpuUsPerRequest is not null)
            .Select(x => x.CpuUsPerRequest!.Value).ToList();
        return cpu.Count > 0 ? Us(Measure.Median(cpu)) : "";
    }

    /// <summary>bpf ns/connect of the chain's first <paramref name="i"/> plugins (the whole chain for i = Chain.Count).</summary>
    private static double Prefix(Results r, int n, int i) =>
        i >= r.Chain.Count ? Bpf(r, n, "kmesh") : Bpf(r, n, "chain:" + string.Join('+', r.Chain.Take(i)));

    private static void ConnectCost(Results r, StringBuilder b, List<int> scales)
    {
        b.AppendLine("## 2. Connect path in the kernel");
        b.AppendLine();
        b.AppendLine($"`kernel.bpf_stats_enabled=1` during this part (restored afterwards). **bpf ns/connect** = Δrun_time_ns / Δrun_cnt of the cgroup's connect4 entry program ({r.EntryProgram}). " +
            "The kernel accounts run time around the entry program only: the plugins run as tail calls inside it, so its figure is the whole chain (entry, every plugin, commit), and tail-called " +
            "programs get no run count of their own. Per plugin is therefore by difference: one more daemon per chain prefix (`--plugins` with the first 1, 2, … plugins), each on a sibling cgroup " +
            "with the same config, dialed by the same client; a plugin's share = its prefix minus the previous one (the first also carries the core's entry and commit programs). " +
            $"The full chain here: {string.Join(" → ", r.Chain)}.");
        b.AppendLine();
        b.Append("| services × 10 endpoints | whole chain |");
        for (var i = 1; i <= r.Chain.Count; i++)
            b.Append(Inv, $" {(i == 1 ? "core + " : "")}{r.Chain[i - 1]} |");
        b.AppendLine();
        b.AppendLine("| ---: | ---: |" + string.Concat(Enumerable.Repeat(" ---: |", r.Chain.Count)));
        foreach (var n in scales)
        {
            b.Append(Inv, $"| {n} | **{Prefix(r, n, r.Chain.Count):0} ns** |");
            for (var i = 1; i <= r.Chain.Count; i++)
                b.Append(Inv, $" {Prefix(r, n, i) - (i == 1 ? 0 : Prefix(r, n, i - 1)):0} ns |");
            b.AppendLine();
        }
        b.AppendLine();
        b.AppendLine("A prefix without load balancing chooses no endpoint, so its connects pass untouched (and are refused: nothing listens on a VIP); that does not change what its programs cost. " +
            "But it means the last plugin's column also carries the commit program's rewrite path, which only a chosen endpoint takes: setting the destination and creating the socket's `sk_storage` entry that getpeername() reads (an allocation per connect). " +
            "Differences of a few ns are within noise and can come out negative. The services are dialed in a pseudo-random order, so at 10 000 services most map lookups miss the CPU caches, as a busy node's would.");
        b.AppendLine();
        b.AppendLine("**connect()**: the blocking connect() syscall timed in the client (bench/tools/kmb-connect.c), to a pseudo-random service's VIP (kmesh, iptables DNAT) or straight to one of its endpoints (direct); a listener accepts on every endpoint, the socket is closed with RST.");
        b.AppendLine();
        b.AppendLine("| services × 10 endpoints | p50 direct | p50 kmesh | p50 iptables DNAT | p99 direct | p99 kmesh | p99 iptables | kmesh / direct (p50) | iptables / direct (p50) | iptables-restore of the rules |");
        b.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var n in scales)
        {
            double P(string v, Func<ConnectResult, double> f) => ConnectP(r, n, v, f) / 1000;
            b.AppendLine(Inv, $"| {n} | {P("direct", c => c.P50):0.00} µs | {P("kmesh", c => c.P50):0.00} µs | {P("iptables", c => c.P50):0.00} µs | " +
                $"{P("direct", c => c.P99):0.00} µs | {P("kmesh", c => c.P99):0.00} µs | {P("iptables", c => c.P99):0.00} µs | {X(P("kmesh", c => c.P50) / P("direct", c => c.P50))} | {X(P("iptables", c => c.P50) / P("direct", c => c.P50))} | " +
                $"{(r.IptablesLoadSeconds.TryGetValue(n, out var s) ? s.ToString("0.00", Inv) + " s" : "")} |");
        }
        var count = r.Connects.FirstOrDefault()?.Result.Ok ?? 0;
        var errs = r.Connects.Where(c => !c.Variant.StartsWith("chain:", StringComparison.Ordinal)).Sum(c => c.Result.Err);
        b.AppendLine();
        b.AppendLine(Inv, $"{count} connects per cell and round (cells are medians over rounds); {errs} failed connects in the direct, kmesh and iptables runs.");
        b.AppendLine();
    }

    private static string SourceName(string source) => source switch
    {
        "file" => "config file",
        "ads-delta" => "ADS, delta",
        "ads-sotw" => "ADS, SotW",
        _ => source,
    };

    private static void Method(Results r, StringBuilder b)
    {
        b.AppendLine("## How it was measured, and what limits it");
        b.AppendLine();
        b.AppendLine("""
            - Everything runs in two network namespaces the harness creates (loopback only): one for direct, kmesh and HAProxy, one for iptables DNAT, so that the conntrack that NAT switches on does not tax the other variants. Each has its own nginx (1 worker, `return 200`), and the same TCP sysctls (wide port range, TIME_WAIT reuse, `tcp_max_tw_buckets` 8192); the NAT namespace's conntrack TIME_WAIT/CLOSE timeouts are 1 s so the table never fills.
            - **direct**: wrk → nginx. **kmesh**: wrk in the governed cgroup dials the VIP; the daemon (every plugin built, the full chain: see section 2) rewrites the connect to nginx. **haproxy-tcp / haproxy-http**: HAProxy (1 thread; HTTP mode with keep-alive and `http-reuse always` to nginx). **waypoint**: `kmesh waypoint` (Kestrel + YARP, Release) with one catch-all route to nginx, dialed directly like HAProxy. **iptables**: kube-proxy's layout (KUBE-SERVICES → KUBE-SVC-* with `statistic` → DNAT) in the nat OUTPUT chain.
            - **Same-node (1b)**: a second nginx, identical, runs inside the governed cgroup (started for that section only). direct = wrk outside the cgroup → that nginx's address; accelerated = wrk inside the cgroup → its VIP, with the daemon's full chain (which includes `accelerate`). Before measuring, the harness checks that nginx is in the cgroup and that one request to the VIP grew acc_counters; each accelerated run records how much they grew.
            - wrk runs with one thread; the machine has 2 CPUs, so with 64 connections client, proxy and server share them: a userspace proxy's cost shows as much in req/s as in latency.
            - Connect-cost scale: each service has 10 endpoints; the kmesh config and the iptables rules are generated for the same services (bench/Kmesh.Bench/MeshConfig.cs). kube-proxy's iptables mode scans KUBE-SERVICES linearly; nftables- or IPVS-mode kube-proxy would scale differently and are not measured here.
            - The control-plane figures come from two sources, measured one after the other on the same cgroup: the daemon's config-file source and ADS (delta and SotW) from `kmesh-xds serve`. The file source re-reads a changed file whole and cuts it into items (one per resource), parsing and translating only the items that changed; ADS carries only what changed (delta) or the changed type (SotW), and the daemon translates only the changed resources and what depends on them. Both watchers read a file moved into place at once and wait for 100 ms (the daemon's file) or 20 ms (the ADS server's directory) of quiet after other file events. A control plane that keeps its state in memory would skip the server's share of an ADS change.
            - Microsecond latencies on a shared 2-CPU virtual machine are noisy; p99 of a few seconds of traffic is especially so. Trust the ratios within a run more than absolute values across runs.
            """);
        b.AppendLine(Inv, $"- Daemon and plugins: {r.Build} build, the full plugin chain found in the plugin folder ({string.Join(", ", r.Chain)}).");
        if (r.Quick)
            b.AppendLine("- This is a `--quick` run: one round (three for the telemetry cost, section 2b), short durations, fewer connects and changes, no micro-benchmarks. Use it as a smoke test, not for conclusions.");
    }

    private static void Chart(Results r, string png, string work, List<int> scales)
    {
        var data = new StringBuilder();
        foreach (var (mode, conns) in Scenarios)
        {
            data.AppendLine(Inv, $"# {mode} c={conns}");
            foreach (var x in Rows(r, mode, conns))
                data.AppendLine(Inv, $"{x.Variant} {x.P50:0.00} {x.P90:0.00} {x.P99:0.00}");
            data.AppendLine();
            data.AppendLine();
        }
        foreach (var conns in SameNodeConns(r))
        {
            data.AppendLine(Inv, $"# same-node c={conns}");
            foreach (var x in SameNodeRows(r, conns))
                data.AppendLine(Inv, $"{x.Variant} {x.P50:0.00} {x.P90:0.00} {x.P99:0.00}");
            data.AppendLine();
            data.AppendLine();
        }
        var lat = Path.Combine(work, "lat.dat");
        File.WriteAllText(lat, data.ToString());
        var conn = Path.Combine(work, "conn.dat");
        File.WriteAllText(conn, string.Join("\n", scales.Select(n =>
            string.Create(Inv, $"{n} {Bpf(r, n, "kmesh"):0} {Prefix(r, n, 1):0} {ConnectP(r, n, "direct", c => c.P50) / 1000:0.000} {ConnectP(r, n, "kmesh", c => c.P50) / 1000:0.000} {ConnectP(r, n, "iptables", c => c.P50) / 1000:0.000}"))) + "\n");
        var panels = new StringBuilder();
        for (var i = 0; i < Scenarios.Length; i++)
        {
            var (mode, conns) = Scenarios[i];
            panels.AppendLine(Inv, $"""
                set title "HTTP latency, {mode}, {conns} conn (µs, log scale)"
                plot '{lat}' index {i} using 2:xtic(1) title 'p50', '' index {i} using 3 title 'p90', '' index {i} using 4 title 'p99'
                """);
        }
        var sameNode = SameNodeConns(r);
        for (var i = 0; i < sameNode.Count; i++)
        {
            panels.AppendLine(Inv, $"""
                set title "same-node keep-alive, {sameNode[i]} conn: direct vs accelerated (µs, log scale)"
                plot '{lat}' index {Scenarios.Length + i} using 2:xtic(1) title 'p50', '' index {Scenarios.Length + i} using 3 title 'p90', '' index {Scenarios.Length + i} using 4 title 'p99'
                """);
        }
        var script = $"""
            set terminal pngcairo size 2400,1000 font ",10" noenhanced
            set output '{png}'
            set multiplot layout 2,4 title "Kmesh bench {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} CPUs){(r.Quick ? " --quick" : "")}"
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            set key top left
            set logscale y
            set yrange [1:*]
            set xtics rotate by -30
            set grid ytics
            {panels}
            set style data linespoints
            unset logscale y
            set yrange [0:*]
            set logscale x
            set xtics norotate
            set xlabel "services (10 endpoints each)"
            set title "connect() p50 (µs) vs services"
            plot '{conn}' using 1:4 title 'direct' lw 2, '' using 1:5 title 'kmesh' lw 2, '' using 1:6 title 'iptables DNAT' lw 2
            set title "eBPF cost per connect (ns, bpf_stats) vs services"
            plot '{conn}' using 1:2 title 'whole chain' lw 2, '' using 1:3 title 'core + first plugin (' . '{(r.Chain.Count > 0 ? r.Chain[0] : "")}' . ')' lw 2
            unset multiplot
            """;
        var gp = Path.Combine(work, "chart.gp");
        File.WriteAllText(gp, script);
        var (code, _, err) = Proc.Run("gnuplot", [gp], TimeSpan.FromMinutes(1));
        if (code != 0)
            Console.Error.WriteLine($"[bench] gnuplot failed: {err}");
    }

    /// <summary>The machine section every report opens with, ending with the load when the report was written.</summary>
    private static void Machine(Results r, StringBuilder b)
    {
        b.AppendLine("## Machine");
        b.AppendLine();
        b.AppendLine(r.Machine);
        b.AppendLine(Inv, $"| load average at the end | {string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} |");
        b.AppendLine();
    }
}
