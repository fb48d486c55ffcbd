using System.Globalization;
using System.Text.RegularExpressions;
using Kmesh.Sdk.Testing;

namespace Kmesh.Bench;

/// <summary>
/// What counting costs connects (issue 11): the same mesh and chain with telemetry off, with the
/// traffic counters (the default) and with counters plus access log, one daemon each on a sibling
/// cgroup, dialed by the same client and alternated round by round.
/// </summary>
public sealed partial class Bench
{
    /// <summary>The variants, in the report's order, with the flags that make them.</summary>
    public static readonly (string Name, string Flags)[] TelemetryVariants =
    [
        ("off", "--traffic-counters off"),
        ("counters", "(default)"),
        ("counters + access log", "--access-log FILE"),
    ];

    /// <summary>Services in this part's mesh: few, so that the cost measured is counting's, not the lookups' cache misses.</summary>
    public const int TelemetryServices = 10;

    // More rounds than elsewhere: one round costs seconds, and the figure sought (tens of ns) is
    // the size of the run-to-run noise of a shared machine, so the medians need the samples.
    private int TelemetryRounds => o.Quick ? 3 : 9;

    private async Task TelemetryCostAsync()
    {
        var restore = _statsBefore is null;
        if (restore)
        {
            _statsBefore = File.ReadAllText("/proc/sys/kernel/bpf_stats_enabled").Trim();
            File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", "1");
        }
        var config = Path.Combine(_work, "telemetry.yaml");
        File.WriteAllText(config, MeshConfig.Generate(TelemetryServices, probeOpen: false));
        var accessLog = Path.Combine(_work, "access.log");
        var cgroups = new string[TelemetryVariants.Length];
        var daemons = new List<DaemonProcess>();
        Log($"telemetry cost: {TelemetryVariants.Length} daemons ({string.Join(", ", TelemetryVariants.Select(v => v.Name))}) on sibling cgroups, {TelemetryRounds} rounds x {Connects} connects");
        try
        {
            for (var i = 0; i < cgroups.Length; i++)
            {
                cgroups[i] = Path.Combine(KernelRequirement.Cgroup2Root, $"kmb-{Environment.ProcessId}-t{i}");
                Directory.CreateDirectory(cgroups[i]);
                _prefixCgroups.Add(cgroups[i]); // removed with the chain-prefix cgroups, at teardown
                string[] flags = i switch
                {
                    0 => ["--traffic-counters", "off"],
                    1 => [],
                    _ => ["--access-log", accessLog],
                };
                daemons.Add(StartDaemon(config, cgroups[i], PrefixPins(cgroups[i]), flags, null));
            }
            foreach (var d in daemons)
                await d.WaitReadyAsync(TimeSpan.FromSeconds(180));
            for (var round = 0; round < TelemetryRounds; round++)
            {
                for (var j = 0; j < TelemetryVariants.Length; j++)
                {
                    ct.ThrowIfCancellationRequested();
                    var v = (j + round) % TelemetryVariants.Length;
                    TelemetryRound(TelemetryVariants[v].Name, cgroups[v], round);
                }
            }
            // What each variant really did: counted (or not) in /metrics, logged (or not) in the file.
            for (var i = 0; i < daemons.Count; i++)
            {
                var name = TelemetryVariants[i].Name;
                var connections = _r.Telemetry.Where(s => s.Variant == name).Sum(s => (long)s.Connections);
                var metrics = await MetricsAsync(daemons[i]);
                var lines = i == 2 ? await AccessLogLinesAsync(accessLog, connections) : 0;
                var check = new TelemetryCheck(name, connections, Sum(metrics, "istio_tcp_connections_opened_total"), lines, (long)Sum(metrics, "kmesh_accesslog_dropped_total"));
                _r.TelemetryChecks.Add(check);
                Log($"  {name}: {connections} connections; istio_tcp_connections_opened_total {check.CountedOpened}; access-log lines {check.LogLines}, dropped {check.LogDropped}");
            }
        }
        finally
        {
            foreach (var d in daemons)
                await d.DisposeAsync();
            if (restore && _statsBefore is not null)
            {
                File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", _statsBefore);
                _statsBefore = null;
            }
        }
    }

    /// <summary>One variant's connects: the connect hook per connect and the sockops programs per connection, from bpf_stats.</summary>
    private void TelemetryRound(string variant, string cgroup, int round)
    {
        var connect0 = Measure.EntryStats(cgroup);
        var sockops0 = Measure.SockOpsStats(cgroup);
        var text = Proc.Checked(Proc.InNetns(_clean.NetnsName, cgroup, o.ConnectTool, "lat", "vip", TelemetryServices.ToString(Inv), Connects.ToString(Inv), (2000 + round).ToString(Inv)), TimeSpan.FromMinutes(3));
        var connect1 = Measure.EntryStats(cgroup);
        var sockops1 = Measure.SockOpsStats(cgroup);
        var res = Measure.ParseConnect(text);
        if (res.Ok == 0)
            throw new InvalidOperationException($"every connect of the telemetry variant {variant} failed: {text}");
        var connectRuns = connect1.RunCnt - connect0.RunCnt;
        var sample = new TelemetrySample(variant, round, res.Ok, res.Err,
            connectRuns > 0 ? (connect1.RunTimeNs - connect0.RunTimeNs) / (double)connectRuns : double.NaN,
            (sockops1.RunTimeNs - sockops0.RunTimeNs) / (double)res.Ok,
            (sockops1.RunCnt - sockops0.RunCnt) / (double)res.Ok,
            res.P50);
        _r.Telemetry.Add(sample);
        _r.SockOpsProgram = sockops1.Names;
        Log($"  telemetry {variant,-22} connect hook {sample.ConnectNs,6:0} ns/connect  sockops {sample.SockOpsNs,6:0} ns/connection ({sample.SockOpsRuns:0.0} runs)  connect() p50 {res.P50 / 1000,6:0.00}us{(res.Err > 0 ? $"  errors {res.Err}" : "")}");
    }

    private static async Task<string> MetricsAsync(DaemonProcess daemon)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri(await daemon.AdminUrlAsync(), "/metrics"));
    }

    /// <summary>The sum of every sample of <paramref name="family"/> in Prometheus text; 0 when there is none.</summary>
    private static double Sum(string metrics, string family) =>
        Regex.Matches(metrics, $@"^{Regex.Escape(family)}(?:\{{[^}}]*\}})? (\S+)$", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>The access log's line count once it reached <paramref name="expected"/> or stopped growing (the daemon writes it behind the kernel).</summary>
    private async Task<long> AccessLogLinesAsync(string path, long expected)
    {
        long last = -1;
        for (var i = 0; i < 50; i++)
        {
            var count = File.Exists(path) ? File.ReadLines(path).LongCount() : 0;
            if (count >= expected || count == last)
                return count;
            last = count;
            await Task.Delay(200, ct);
        }
        return last;
    }
}
