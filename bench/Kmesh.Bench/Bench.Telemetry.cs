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

    /// <summary>
    /// With <c>--telemetry-baseline</c>: off and counters of the other build, as two more daemons in the
    /// same cycles. Each is compared with the baseline's own off (<see cref="TelemetryReference"/>).
    /// </summary>
    public static readonly (string Name, string Flags)[] TelemetryBaselineVariants =
    [
        ("off (before)", "--traffic-counters off, baseline build"),
        ("counters (before)", "(default), baseline build"),
    ];

    /// <summary>The variant a variant's differences are taken against: its own build's off.</summary>
    public static string TelemetryReference(string variant) => variant.EndsWith("(before)", StringComparison.Ordinal) ? "off (before)" : "off";

    private (string Name, string Flags)[] TelemetryRunVariants =>
        o.TelemetryBaseline is null ? TelemetryVariants : [.. TelemetryVariants, .. TelemetryBaselineVariants];

    /// <summary>Services in this part's mesh: few, so that the cost measured is counting's, not the lookups' cache misses.</summary>
    public const int TelemetryServices = 10;

    // Many short blocks rather than a few long runs: the figure sought (tens of ns) is far below
    // what a shared machine's load moves a block by, and back-to-back blocks of all variants see
    // the same load, so per-cycle differences cancel it. One process alternates in-kernel-cheaply
    // (kmb-connect alt moves itself between the cgroups and reads bpf_stats itself).
    private int TelemetryCycles => o.TelemetryCycles ?? TelemetryCyclesFor(o.Quick);

    /// <summary>Cycles of section 2b by default: 100 with <c>--quick</c>, 400 otherwise (<c>--telemetry-cycles N</c> overrides).</summary>
    public static int TelemetryCyclesFor(bool quick) => quick ? 100 : 400;
    /// <summary>Connects per block.</summary>
    public const int TelemetryBlockSize = 250;

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
        var variants = TelemetryRunVariants;
        var cgroups = new string[variants.Length];
        var daemons = new List<DaemonProcess>();
        _r.TelemetryCycles = TelemetryCycles;
        Log($"telemetry cost: {variants.Length} daemons ({string.Join(", ", variants.Select(v => v.Name))}) on sibling cgroups, {TelemetryCycles} cycles x {TelemetryBlockSize} connects each, one process alternating");
        try
        {
            for (var i = 0; i < cgroups.Length; i++)
            {
                cgroups[i] = Path.Combine(KernelRequirement.Cgroup2Root, $"kmb-{Environment.ProcessId}-t{i}");
                Directory.CreateDirectory(cgroups[i]);
                _prefixCgroups.Add(cgroups[i]); // removed with the chain-prefix cgroups, at teardown
                string[] flags = i switch
                {
                    0 or 3 => ["--traffic-counters", "off"],
                    1 or 4 => [],
                    _ => ["--access-log", accessLog],
                };
                if (i < TelemetryVariants.Length)
                {
                    daemons.Add(StartDaemon(config, cgroups[i], PrefixPins(cgroups[i]), flags, null));
                }
                else
                {
                    // The baseline build: "DLL:PLUGIN_DIR" (paths without ':').
                    var parts = o.TelemetryBaseline!.Split(':', 2);
                    daemons.Add(DaemonProcess.Start(parts[0], ["--config", config, "--cgroup", cgroups[i], "--bpffs", PrefixPins(cgroups[i]), "--plugin-dir", parts[1], .. flags], null));
                }
            }
            foreach (var d in daemons)
                await d.WaitReadyAsync(TimeSpan.FromSeconds(180));
            var targets = new string[cgroups.Length];
            for (var i = 0; i < cgroups.Length; i++)
            {
                var connect = Measure.EntryStats(cgroups[i]);
                var sockops = Measure.SockOpsProgram(cgroups[i]);
                targets[i] = $"{cgroups[i]},{connect.Id.ToString(Inv)},{sockops.Id.ToString(Inv)}";
                _r.SockOpsProgram = sockops.Name;
            }
            // Not Proc.InNetns: `ip netns exec` mounts a sysfs of its own, hiding the cgroups the tool moves between; it joins the namespace itself.
            var text = Proc.Checked(o.ConnectTool, ["alt", _clean.NetnsName, TelemetryServices.ToString(Inv), TelemetryBlockSize.ToString(Inv),
                TelemetryCycles.ToString(Inv), "2000", .. targets], TimeSpan.FromMinutes(10));
            foreach (Match m in Regex.Matches(text, @"^cycle=(\d+) variant=(\d+) ok=(\d+) err=(\d+) connect_ns=(\d+) connect_cnt=(\d+) sockops_ns=(\d+) sockops_cnt=(\d+) p50=(\d+)$", RegexOptions.Multiline))
            {
                long F(int g) => long.Parse(m.Groups[g].Value, Inv);
                var (ok, connectRuns) = (F(3), F(6));
                if (ok == 0)
                    throw new InvalidOperationException($"a block of the telemetry variant {variants[F(2)].Name} had no connect succeed: {m.Value}");
                _r.Telemetry.Add(new TelemetrySample(variants[F(2)].Name, (int)F(1), (int)ok, (int)F(4),
                    connectRuns > 0 ? F(5) / (double)connectRuns : double.NaN, F(7) / (double)ok, F(8) / (double)ok, F(9)));
            }
            if (_r.Telemetry.Count != TelemetryCycles * variants.Length)
                throw new InvalidOperationException($"kmb-connect alt reported {_r.Telemetry.Count} blocks of {TelemetryCycles * variants.Length}: {text}");
            foreach (var v in variants)
            {
                var s = _r.Telemetry.Where(x => x.Variant == v.Name).ToList();
                Log($"  telemetry {v.Name,-22} connect hook {Measure.Median(s.Select(x => x.ConnectNs)),6:0} ns/connect  sockops {Measure.Median(s.Select(x => x.SockOpsNs)),6:0} ns/connection " +
                    $"({Measure.Median(s.Select(x => x.SockOpsRuns)):0.0} runs)  connect() p50 {Measure.Median(s.Select(x => x.ConnectP50)) / 1000,6:0.00}us  errors {s.Sum(x => x.Errors)}");
            }
            // What each variant really did: counted (or not) in /metrics, logged (or not) in the file.
            for (var i = 0; i < daemons.Count; i++)
            {
                var name = variants[i].Name;
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
