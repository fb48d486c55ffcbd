using System.Text;

namespace Kmesh.Bench;

/// <summary>The same-node section of the report: direct loopback versus the pod-address dial and the VIP path, both accelerated; issues 7 and 17's goals.</summary>
public static partial class Report
{
    private const double SameNodeRpsGoal = 1.5;

    private sealed record SameNodeRow(string Variant, double P50, double P90, double P99, double Rps, long Errors, AccDelta? Acc, double RpsSum);

    /// <summary>The variants in report order; the first is what the others are compared with.</summary>
    private static readonly string[] SameNodeVariants = ["direct", "pod-ip", "accelerated"];

    private static List<int> SameNodeConns(Results r) => [.. r.SameNode.Select(x => x.Conns).Distinct().Order()];

    /// <summary>Per variant, the median over rounds of each figure; acc_counters growth summed over the rounds.</summary>
    private static List<SameNodeRow> SameNodeRows(Results r, int conns) =>
        [.. SameNodeVariants.Where(v => r.SameNode.Any(x => x.Variant == v)).Select(v =>
        {
            var s = r.SameNode.Where(x => x.Conns == conns && x.Variant == v).ToList();
            var acc = s.All(x => x.Acc is null) ? null : s.Where(x => x.Acc is not null).Select(x => x.Acc!)
                .Aggregate(new AccDelta(0, 0, 0), (t, x) => new AccDelta(t.Connections + x.Connections, t.Messages + x.Messages, t.Bytes + x.Bytes));
            return new SameNodeRow(v, Measure.Median(s.Select(x => x.Result.P50)), Measure.Median(s.Select(x => x.Result.P90)), Measure.Median(s.Select(x => x.Result.P99)),
                Measure.Median(s.Select(x => x.Result.Rps)), s.Sum(x => x.Result.Errors + x.Result.Non2xx), acc, s.Sum(x => x.Result.Rps));
        })];

    /// <summary>
    /// The report of <c>--only same-node</c>: section 1b and its goals alone, in a file of its own
    /// (<c>DATE-MACHINE-same-node.md</c>), so it is never taken for a whole run.
    /// </summary>
    private static string WriteSameNodeOnly(Results r, string outDir)
    {
        var md = Path.Combine(outDir, $"{DateTime.UtcNow:yyyy-MM-dd}-{MachineInfo.ShortName()}-same-node{(r.Quick ? "-quick" : "")}.md");
        var b = new StringBuilder();
        b.AppendLine(Inv, $"# Kmesh benchmark, section 1b only: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine();
        b.AppendLine(Inv, $"`./kmesh bench --only same-node{(r.Quick ? " --quick" : "")}`, one run of {r.TotalSeconds / 60:0.0} minutes: the set-up, then only the same-node runs (section 1b of a whole run; sections 1, 2, 2b, 3 and 4 were not run). Every figure below was measured in this run on this machine; ratios compare variants of the same run, which rotated round by round so drift hits all alike.");
        b.AppendLine();
        Machine(r, b);
        SameNodeGoals(r, b);
        SameNode(r, b);
        File.WriteAllText(md, b.ToString());
        return md;
    }

    private static void SameNodeGoals(Results r, StringBuilder b)
    {
        if (r.SameNode.Count == 0)
            return;
        b.AppendLine("## Goals (issues 7 and 17: same-node acceleration)");
        b.AppendLine();
        b.AppendLine("| goal | result | |");
        b.AppendLine("| --- | --- | --- |");
        var many = SameNodeConns(r).Max();
        var rows = SameNodeRows(r, many);
        var d = rows[0];
        var p50s = SameNodeConns(r).Select(c => (Conns: c, Rows: SameNodeRows(r, c))).ToList();
        for (var i = 1; i < rows.Count; i++)
        {
            var (a, column) = (rows[i], i);
            var ratio = a.Rps / d.Rps;
            b.AppendLine(Inv, $"| {a.Variant} ≥ {SameNodeRpsGoal:0.0}× direct requests/s at {many} keep-alive connections | **{(ratio >= SameNodeRpsGoal ? "met" : "missed")}** | {a.Rps:0} vs {d.Rps:0} req/s: {X(ratio)} |");
            var lower = p50s.Count(x => x.Rows[column].P50 < x.Rows[0].P50);
            var each = string.Join("; ", p50s.Select(x => $"c={x.Conns}: {Us(x.Rows[column].P50)} vs {Us(x.Rows[0].P50)} µs ({X(x.Rows[column].P50 / x.Rows[0].P50)})"));
            b.AppendLine(Inv, $"| {a.Variant} p50 lower than direct (at 1 and at {many} connections) | **{(lower == p50s.Count ? "met" : "missed")}** ({lower} of {p50s.Count}) | {each} |");
        }
        if (r.SameNodeProblem is { } problem)
            b.AppendLine(Inv, $"| preconditions | **not met** | {problem.Split('\n')[0]} |");
        b.AppendLine();
    }

    private static void SameNode(Results r, StringBuilder b)
    {
        if (r.SameNode.Count == 0)
            return;
        b.AppendLine("## 1b. Same-node acceleration: HTTP/1.1 keep-alive to an nginx in the governed cgroup");
        b.AppendLine();
        b.AppendLine("One nginx (1 worker, `return 200`) runs inside the governed cgroup. **direct**: wrk outside the cgroup dials nginx's own address: plain TCP over loopback, no mesh on wrk's sockets. " +
            "**pod-ip**: wrk inside the cgroup dials the same address, as a client of a headless service or StatefulSet dials a pod: no VIP, the connect is not routed, but both ends are workloads of the node, so their sockets go into the sockhash. " +
            "**accelerated**: wrk inside the cgroup dials the service VIP; the daemon's chain (with `accelerate`) routes the connect, and since both ends are workloads of the node, their sockets go into the sockhash " +
            "and every send is redirected into the peer's receive queue (no TCP/IP stack, no loopback device). Latency in µs (wrk's distribution), medians over the rounds; the order of the variants rotates round by round.");
        b.AppendLine();
        if (r.SameNodeProblem is { } problem)
        {
            b.AppendLine(Inv, $"**Warning: {problem.Split('\n')[0]}**");
            b.AppendLine();
        }
        foreach (var conns in SameNodeConns(r))
        {
            var rows = SameNodeRows(r, conns);
            var d = rows[0];
            b.AppendLine(Inv, $"### keep-alive, {conns} connection{(conns > 1 ? "s" : "")}");
            b.AppendLine();
            b.AppendLine("| variant | p50 | p90 | p99 | req/s | p50 / direct | p99 / direct | req/s / direct | errors | accelerated connections | redirected bytes per request |");
            b.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var x in rows)
            {
                // wrk reports req/s, not a count: requests ≈ Σ req/s × seconds over the rounds.
                var perRequest = x.Acc is { } acc && x.RpsSum > 0 ? (acc.Bytes / (x.RpsSum * r.SameNodeSeconds)).ToString("0", Inv) : "–";
                b.AppendLine(Inv, $"| {x.Variant} | {Us(x.P50)} | {Us(x.P90)} | {Us(x.P99)} | {x.Rps:0} | {X(x.P50 / d.P50)} | {X(x.P99 / d.P99)} | {X(x.Rps / d.Rps)} | {x.Errors} | " +
                    $"{(x.Acc is { } a ? a.Connections.ToString(Inv) : "–")} | {perRequest} |");
            }
            b.AppendLine();
        }
        var rounds = r.SameNode.Select(x => x.Round).Distinct().Count();
        b.AppendLine(Inv, $"\"accelerated connections\" is how much acc_counters' `connections` grew over the {rounds} round(s) (wrk opens its connections once per run, plus one at start-up to check the address, so it should be (connections + 1) × rounds); " +
            $"\"redirected bytes per request\" is acc_counters' `bytes` over the requests made: request and response, both ways socket to socket. direct shows –: the mesh never sees its sockets.");
        b.AppendLine();
    }
}
