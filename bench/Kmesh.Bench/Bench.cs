using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Kmesh.Sdk.Testing;

namespace Kmesh.Bench;

/// <summary>The whole run: set-up, the four measurements, the report; cleanup in every case.</summary>
public sealed partial class Bench(BenchOptions o, CancellationToken ct)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"kmb-{Environment.ProcessId}");
    private readonly List<(long Ns, string Line)> _daemonLines = [];
    private readonly Results _r = new();
    private KernelSandbox _clean = null!; // direct, kmesh, HAProxy
    private KernelSandbox _nat = null!;   // iptables DNAT (its conntrack stays out of the other variants)
    private DaemonProcess? _daemon;
    private string _config = "";
    private readonly List<string> _prefixCgroups = [];
    /// <summary>Proxies whose CPU per request the request path records, by variant name.</summary>
    private readonly Dictionary<string, Process> _servers = [];
    private string? _statsBefore;

    private int Rounds => o.Quick ? 1 : 3;
    private int WrkSeconds => o.Quick ? 2 : 5;
    private int Connects => o.Quick ? 4000 : 20000;
    private int Changes => o.Quick ? 5 : 20;
    private int WarmupChanges => o.Quick ? 0 : 10;
    private int[] Scales => [10, 1000, 10000];

    public async Task RunAsync()
    {
        var started = Stopwatch.StartNew();
        Directory.CreateDirectory(_work);
        try
        {
            _r.Machine = MachineInfo.Describe();
            _r.Quick = o.Quick;
            _r.Build = o.DaemonDll.Contains("/Release/", StringComparison.Ordinal) ? "Release" : o.DaemonDll.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "unknown";
            _r.Only = o.Only;
            if (o.Only == "waypoint")
                await SetUpWaypointOnlyAsync();
            else
                await SetUpAsync();
            if (o.Only == "telemetry")
            {
                await TelemetryCostAsync();
            }
            else if (o.Only == "same-node")
            {
                await SameNodeAsync();
            }
            else if (o.Only == "waypoint")
            {
                await RequestPathAsync(WaypointVariants());
            }
            else if (o.Only == "control-plane")
            {
                await ControlPlaneFileAsync();
                await ControlPlaneAdsAsync("delta");
                await ControlPlaneAdsAsync("sotw");
            }
            else
            {
                await RequestPathAsync(AllVariants());
                await SameNodeAsync();
                await IdleAsync("idle, 13 services");
                await TelemetryCostAsync();
                await ConnectCostAndControlPlaneAsync();
                // ADS last: each variant replaces the file-source daemon on the same cgroup.
                await ControlPlaneAdsAsync("delta");
                await ControlPlaneAdsAsync("sotw");
            }
            await StopDaemonAsync();
        }
        finally
        {
            await TearDownAsync();
        }
        if (o.MicroDll is not null && o.Only is null)
            _r.Micro = Micro.Run(o.MicroDll, o.Quick, _work, ct);
        _r.TotalSeconds = started.Elapsed.TotalSeconds;
        var (md, png) = Report.Write(_r, o.OutDir, _work);
        Log($"report: {md}");
        if (png is not null)
            Log($"chart:  {png}");
        TryDelete(_work);
    }

    // ---------------------------------------------------------------- set-up and teardown

    private async Task SetUpAsync()
    {
        Log("set-up: two network namespaces, nginx, HAProxy, a connect listener, iptables, the daemon");
        _clean = await KernelSandbox.CreateAsync(cancellationToken: ct);
        _nat = await KernelSandbox.CreateAsync(cancellationToken: ct);
        foreach (var ns in new[] { _clean.NetnsName, _nat.NetnsName })
        {
            // Same TCP settings in both: a wide port range and short TIME_WAIT so that thousands of
            // one-shot connections per second do not run out of 4-tuples (both are our namespaces).
            Sysctl(ns, "net.ipv4.ip_local_port_range", "1024 65535");
            Sysctl(ns, "net.ipv4.tcp_tw_reuse", "1");
            Sysctl(ns, "net.ipv4.tcp_max_tw_buckets", "8192");
            StartServer(ns, "nginx", ["nginx", "-c", NginxConf($"nginx-{ns}", $"{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}"), "-g", "daemon off;"]);
            StartServer(ns, "listener", [o.ConnectTool, "listen", MeshConfig.ListenerPort.ToString(Inv)]);
        }
        _servers["haproxy"] = StartServer(_clean.NetnsName, "haproxy", ["haproxy", "-db", "-f", HaproxyConf()]);
        StartWaypoints();
        LoadIptables(10);
        // conntrack entries of one-shot connections: short timeouts so the table never fills.
        Sysctl(_nat.NetnsName, "net.netfilter.nf_conntrack_tcp_timeout_time_wait", "1");
        Sysctl(_nat.NetnsName, "net.netfilter.nf_conntrack_tcp_timeout_close", "1");

        _config = Path.Combine(_work, "mesh.yaml");
        File.WriteAllText(_config, MeshConfig.Generate(10, probeOpen: false));
        _daemon = StartDaemon(_config, _clean.CgroupPath, _clean.PinPath, [], line =>
        {
            lock (_daemonLines)
                _daemonLines.Add((Proc.MonotonicNs(), line));
        });
        await _daemon.WaitReadyAsync(TimeSpan.FromSeconds(120));
        await WaitUntilAsync(() => Curl(_clean.NetnsName, $"http://{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}/")
            && Curl(_nat.NetnsName, $"http://{MeshConfig.WebVip}/")
            && Curl(_clean.NetnsName, "http://127.0.0.3:8082/") && WaypointsAnswer(), "nginx, HAProxy, the waypoint and DNAT to answer");
        await WarmUpWaypointsAsync();
        if (!Curl(_clean.NetnsName, $"http://{MeshConfig.WebVip}/", _clean.CgroupPath))
            throw new InvalidOperationException($"a request to the web VIP from the governed cgroup did not reach nginx; daemon log:\n{_daemon.Log}\n" +
                Proc.Run(Proc.InNetns(_clean.NetnsName, _clean.CgroupPath, "wrk", "-t1", "-c1", "-d1s", $"http://{MeshConfig.WebVip}/")).Out);
        if (Curl(_clean.NetnsName, $"http://{MeshConfig.WebVip}/"))
            throw new InvalidOperationException("the web VIP answered outside the governed cgroup: the sandbox is not what the bench assumes");
    }

    private DaemonProcess StartDaemon(string config, string cgroup, string pins, string[] extra, Action<string>? echo) =>
        DaemonProcess.Start(o.DaemonDll,
            ["--config", config, "--cgroup", cgroup, "--bpffs", pins, "--plugin-dir", o.PluginDir, .. extra], echo);

    private async Task StopDaemonAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
            _daemon = null;
        }
    }

    private async Task TearDownAsync()
    {
        Log("cleanup");
        if (_statsBefore is not null)
            File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", _statsBefore);
        await StopDaemonAsync();
        Proc.KillAll();
        foreach (var cgroup in _prefixCgroups)
        {
            if (Directory.Exists(cgroup))
            {
                foreach (var pid in File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")))
                    TryWrite(Path.Combine(KernelRequirement.Cgroup2Root, "cgroup.procs"), pid);
                try { Directory.Delete(cgroup); } catch (IOException e) { Log($"could not remove {cgroup}: {e.Message}"); }
            }
            var pins = PrefixPins(cgroup);
            if (Directory.Exists(pins))
            {
                foreach (var pin in Directory.GetFiles(pins, "*", SearchOption.AllDirectories))
                    File.Delete(pin);
                TryDelete(pins);
            }
        }
        foreach (var sandbox in new[] { _clean, _nat })
        {
            if (sandbox is null)
                continue;
            try { await sandbox.DisposeAsync(); } catch (InvalidOperationException e) { Log(e.Message); }
        }
    }

    // ---------------------------------------------------------------- 1. request path

    private sealed record Variant(string Name, string Netns, string? Cgroup, string Url);

    private Variant[] AllVariants() =>
    [
        new("direct", _clean.NetnsName, null, $"http://{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}/"),
        new("kmesh", _clean.NetnsName, _clean.CgroupPath, $"http://{MeshConfig.WebVip}/"),
        new("haproxy-tcp", _clean.NetnsName, null, "http://127.0.0.3:8081/"),
        new("haproxy-http", _clean.NetnsName, null, "http://127.0.0.3:8082/"),
        .. WaypointRows(),
        new("iptables", _nat.NetnsName, null, $"http://{MeshConfig.WebVip}/"),
    ];

    private async Task RequestPathAsync(Variant[] variants)
    {
        _r.Variants = [.. variants.Select(v => v.Name)];
        var scenarios = new (string Mode, int Conns)[] { ("keep-alive", 1), ("keep-alive", 64), ("close", 1), ("close", 64) };
        Log($"request path: {scenarios.Length} scenarios x {variants.Length} variants x {Rounds} rounds x {WrkSeconds}s (wrk)");
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (mode, conns) in scenarios)
            {
                // Rotate the order every round so drift and warm-up hit every variant alike.
                for (var j = 0; j < variants.Length; j++)
                {
                    ct.ThrowIfCancellationRequested();
                    var v = variants[(j + round) % variants.Length];
                    string[] wrk = ["wrk", "-t1", $"-c{conns}", $"-d{WrkSeconds}s", "--latency", "--timeout", "2s",
                        .. mode == "close" ? new[] { "-H", "Connection: close" } : [], v.Url];
                    // The proxy's own CPU per request (utime+stime over the run / requests) depends far less
                    // on what else runs on the machine than req/s and latency do.
                    var server = _servers.GetValueOrDefault(v.Name.StartsWith("haproxy", StringComparison.Ordinal) ? "haproxy" : v.Name);
                    var cpuBefore = server is null ? 0 : Measure.CpuSeconds(server.Id);
                    var res = Measure.ParseWrk(Proc.Checked(Proc.InNetns(v.Netns, v.Cgroup, wrk), TimeSpan.FromSeconds(WrkSeconds + 30)));
                    double? cpuUs = server is null || res.Rps <= 0 ? null : (Measure.CpuSeconds(server.Id) - cpuBefore) * 1e6 / (res.Rps * WrkSeconds);
                    _r.Add(new RequestSample(mode, conns, v.Name, round, res, cpuUs));
                    Log($"  {mode,-10} c={conns,-2} {v.Name,-15} p50 {res.P50,8:0.0}us p99 {res.P99,8:0.0}us {res.Rps,9:0} req/s{(cpuUs is { } c ? $"  cpu {c,6:0.0}us/req" : "")}{(res.Errors + res.Non2xx > 0 ? $"  errors {res.Errors} non-2xx {res.Non2xx}" : "")}");
                    await Task.Delay(200, ct);
                }
            }
        }
    }

    // ---------------------------------------------------------------- 2 + 3. connect cost and control plane

    private async Task ConnectCostAndControlPlaneAsync()
    {
        _statsBefore = File.ReadAllText("/proc/sys/kernel/bpf_stats_enabled").Trim();
        File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", "1");
        Log($"kernel.bpf_stats_enabled=1 (was {_statsBefore}; restored at the end)");
        // The plugins' own programs run as tail calls inside the entry program, which is the only
        // one the kernel accounts: per plugin is by difference, with a daemon per chain prefix.
        var chain = Regex.Match(_daemon!.Lines.First(l => l.Contains("ready:", StringComparison.Ordinal)), @"chain: (.*)$").Groups[1].Value
            .Split(", ").Select(p => p.Split(' ')[0]).ToList();
        _r.Chain = chain;
        for (var i = 1; i < chain.Count; i++)
        {
            var cgroup = Path.Combine(KernelRequirement.Cgroup2Root, $"kmb-{Environment.ProcessId}-p{i}");
            Directory.CreateDirectory(cgroup);
            _prefixCgroups.Add(cgroup);
        }
        var probeOpen = false;
        _r.Sources.Add("file");
        foreach (var n in Scales)
        {
            ct.ThrowIfCancellationRequested();
            if (n != 10)
            {
                await PushAsync(FileTarget, n);
                probeOpen = false; // a push carries the probe's endpoint closed
            }
            var ipt = Stopwatch.StartNew();
            LoadIptables(n);
            _r.IptablesLoadSeconds[n] = ipt.Elapsed.TotalSeconds;
            Log($"scale {n}: iptables-restore of {n} services took {ipt.Elapsed.TotalSeconds:0.00}s");

            var prefixConfig = Path.Combine(_work, "prefix.yaml");
            File.WriteAllText(prefixConfig, MeshConfig.Generate(n, probeOpen));
            var prefixes = new List<DaemonProcess>();
            try
            {
                for (var i = 1; i < chain.Count; i++)
                    prefixes.Add(StartDaemon(prefixConfig, _prefixCgroups[i - 1], PrefixPins(_prefixCgroups[i - 1]), ["--plugins", string.Join(',', chain.Take(i))], null));
                foreach (var d in prefixes)
                    await d.WaitReadyAsync(TimeSpan.FromSeconds(180));
                for (var round = 0; round < Rounds; round++)
                {
                    var seed = 1000 + round;
                    var order = new List<Action>
                    {
                        () => Connect(n, "direct", seed, _clean.NetnsName, null, "ep"),
                        () => Connect(n, "kmesh", seed, _clean.NetnsName, _clean.CgroupPath, "vip"),
                        () => Connect(n, "iptables", seed, _nat.NetnsName, null, "vip"),
                    };
                    for (var i = 1; i < chain.Count; i++)
                    {
                        var (cg, name) = (_prefixCgroups[i - 1], "chain:" + string.Join('+', chain.Take(i)));
                        order.Add(() => Connect(n, name, seed, _clean.NetnsName, cg, "vip"));
                    }
                    for (var j = 0; j < order.Count; j++)
                    {
                        ct.ThrowIfCancellationRequested();
                        order[(j + round) % order.Count]();
                    }
                }
            }
            finally
            {
                foreach (var d in prefixes)
                    await d.DisposeAsync();
            }
            if (n == 10 || n == 10000)
                probeOpen = await EdsChangesAsync(FileTarget, n, probeOpen);
        }
        await IdleAsync("idle, 10 000 services");
        File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", _statsBefore);
        _statsBefore = null;
    }

    /// <summary>
    /// The file source's share of section 3 without the connect-cost rounds it is interleaved with
    /// in a whole run (<c>--only control-plane</c>): pushes of 1 000 and 10 000 services and the
    /// one-endpoint changes at 10 and at 10 000.
    /// </summary>
    private async Task ControlPlaneFileAsync()
    {
        _r.Sources.Add("file");
        await EdsChangesAsync(FileTarget, 10, probeOpen: false);
        await PushAsync(FileTarget, 1000);
        await PushAsync(FileTarget, 10000);
        await EdsChangesAsync(FileTarget, 10000, probeOpen: false); // a push carries the probe's endpoint closed
        await IdleAsync("idle, 10 000 services");
    }

    private void Connect(int n, string variant, int seed, string netns, string? cgroup, string mode)
    {
        (long T, long C, int Id, string Name)? before = cgroup is null ? null : Measure.EntryStats(cgroup);
        var text = Proc.Checked(Proc.InNetns(netns, cgroup, o.ConnectTool, "lat", mode, n.ToString(Inv), Connects.ToString(Inv), seed.ToString(Inv)), TimeSpan.FromMinutes(3));
        var res = Measure.ParseConnect(text);
        double? bpfNs = null;
        if (before is { } b)
        {
            var after = Measure.EntryStats(cgroup!);
            var runs = after.RunCnt - b.C;
            if (runs > 0)
                bpfNs = (after.RunTimeNs - b.T) / (double)runs;
            _r.EntryProgram = $"{after.Name} (id {after.Id})";
        }
        _r.Connects.Add(new ConnectSample(n, variant, res, bpfNs));
        Log($"  connect n={n,-5} {variant,-18} p50 {res.P50 / 1000,7:0.00}us p99 {res.P99 / 1000,7:0.00}us{(bpfNs is { } x ? $"  bpf {x,6:0}ns/connect" : "")}{(res.Err > 0 ? $"  errors {res.Err}" : "")}");
        // A chain prefix without load balancing chooses no endpoint: its connects pass untouched and are
        // refused (nothing listens on a VIP); only its eBPF cost is of interest.
        if (res.Ok == 0 && !variant.StartsWith("chain:", StringComparison.Ordinal))
            throw new InvalidOperationException($"every connect of {variant} at {n} services failed: {text}");
    }

    /// <summary>Pushes a config of <paramref name="n"/> services: file write to "Applied config" and to a connect that sees it.</summary>
    private async Task PushAsync(ConfigTarget target, int n)
    {
        // Over ADS the probe's endpoint lives in its own file, which a push leaves alone.
        var text = MeshConfig.Generate(n, probeOpen: false, probeEds: target.ProbeFile is not null);
        var lastVip = MeshConfig.Vip(n - 1);
        var cpu0 = Measure.CpuSeconds(_daemon!.Pid);
        var serverCpu0 = target.Server is { } s0 ? Measure.CpuSeconds(s0.Id) : 0;
        // Over ADS the clusters may be applied before the listeners (CDS, then LDS): wait for the whole mesh.
        var whole = $": {n + 3} listeners, {n + 3} clusters";
        var (t0, seen, applied, _) = await ChangeAsync(target, target.MeshFile, text, lastVip, 80, "ok", TimeSpan.FromMinutes(3), whole);
        var cpu = Measure.CpuSeconds(_daemon.Pid) - cpu0;
        double? serverCpu = target.Server is { } s1 ? Measure.CpuSeconds(s1.Id) - serverCpu0 : null;
        await Task.Delay(1000, ct);
        var push = new PushSample(target.Source, n, n * MeshConfig.EndpointsPerService, (applied - t0) / 1e6, (seen - t0) / 1e6, cpu, Measure.RssMiB(_daemon.Pid), text.Length, serverCpu);
        _r.Pushes.Add(push);
        Log($"{target.Source}: push of {n} services / {push.Endpoints} endpoints ({text.Length / 1e6:0.0} MB): applied after {push.AppliedMs:0} ms, first connect sees it after {push.SeenMs:0} ms; {cpu:0.00} s CPU{(serverCpu is { } sc ? $" (+{sc:0.00} s in the ADS server)" : "")}; RSS {push.RssMiB:0} MiB");
    }

    /// <summary>Repeatedly moves the probe service's only endpoint between a listening and a closed port.</summary>
    /// <remarks>File source: the whole mesh file is rewritten. ADS: only the probe's own file.</remarks>
    private async Task<bool> EdsChangesAsync(ConfigTarget target, int n, bool probeOpen)
    {
        Log($"{target.Source}: one-endpoint changes at {n} services: {Changes} x");
        var texts = target.ProbeFile is null
            ? new[] { MeshConfig.Generate(n, false), MeshConfig.Generate(n, true) }
            : [MeshConfig.ProbeAssignment(false), MeshConfig.ProbeAssignment(true)];
        var path = target.ProbeFile ?? target.MeshFile;
        // A daemon's first changes run code tiered compilation has not optimized yet (it recompiles
        // after ~30 calls): the first round of changes of a daemon starts with some unmeasured ones,
        // so that what is measured is a daemon that has followed changes for a while, as a node's has.
        var warmup = n == Scales[0] ? WarmupChanges : 0;
        for (var i = 0; i < warmup; i++)
        {
            probeOpen = !probeOpen;
            await ChangeAsync(target, path, texts[probeOpen ? 1 : 0], MeshConfig.ProbeVip, 80, probeOpen ? "ok" : "refused", TimeSpan.FromSeconds(60));
            await Task.Delay(100, ct);
        }
        var cpu0 = Measure.CpuSeconds(_daemon!.Pid);
        var serverCpu0 = target.Server is { } s0 ? Measure.CpuSeconds(s0.Id) : 0;
        for (var i = 0; i < Changes; i++)
        {
            ct.ThrowIfCancellationRequested();
            probeOpen = !probeOpen;
            var (t0, seen, applied, served) = await ChangeAsync(target, path, texts[probeOpen ? 1 : 0], MeshConfig.ProbeVip, 80, probeOpen ? "ok" : "refused", TimeSpan.FromSeconds(60));
            _r.Changes.Add(new ChangeSample(target.Source, n, (seen - t0) / 1e6, (applied - t0) / 1e6, served is { } sv ? (sv - t0) / 1e6 : null));
            if (i == 0)
                Log($"  first change's log lines: {LastLines(target)}");
            await Task.Delay(300, ct);
        }
        var cpuPerChange = (Measure.CpuSeconds(_daemon.Pid) - cpu0) / Changes;
        _r.CpuPerChange[(target.Source, n)] = cpuPerChange;
        if (target.Server is { } s1)
            _r.ServerCpuPerChange[(target.Source, n)] = (Measure.CpuSeconds(s1.Id) - serverCpu0) / Changes;
        var mine = _r.Changes.Where(c => c.Source == target.Source && c.Services == n).ToList();
        var seenMs = mine.Select(c => c.SeenMs).ToList();
        var servedMs = mine.Where(c => c.ServedMs is not null).Select(c => c.ServedMs!.Value).ToList();
        Log($"  seen p50 {Measure.Percentile(seenMs, 0.5):0.0} ms p99 {Measure.Percentile(seenMs, 0.99):0.0} ms; {cpuPerChange:0.00} s CPU per change" +
            (servedMs.Count > 0 ? $"; ADS server published after p50 {Measure.Percentile(servedMs, 0.5):0.0} ms" : ""));
        Log($"  each, in order (ms from the rename: {(servedMs.Count > 0 ? "server published/" : "")}applied/seen): " +
            string.Join(' ', mine.Select(c => (c.ServedMs is { } sv ? sv.ToString("0.0", Inv) + "/" : "") + c.AppliedMs.ToString("0.0", Inv) + "/" + c.SeenMs.ToString("0.0", Inv))));
        return probeOpen;
    }

    /// <summary>The server's last "files changed" line and the daemon's last "Applied config" (what a change spent, as they tell it).</summary>
    private string LastLines(ConfigTarget target)
    {
        var lines = new List<string>();
        if (target.Server is not null)
        {
            lock (_serverLines)
                lines.AddRange(_serverLines.Where(l => l.Line.Contains("files changed:", StringComparison.Ordinal)).TakeLast(1).Select(l => "server: " + l.Line));
        }
        lock (_daemonLines)
            lines.AddRange(_daemonLines.Where(l => l.Line.Contains("Applied config", StringComparison.Ordinal)).TakeLast(1).Select(l => "daemon: " + l.Line));
        return string.Join(" | ", lines);
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> (rename, as editors and config
    /// managers do) with a probe already connecting in the governed cgroup; returns the write time,
    /// the time of the probe's first connect with the new outcome, the time of the "Applied config"
    /// line and, over ADS, the time the server published the new files (CLOCK_MONOTONIC ns).
    /// </summary>
    private async Task<(long T0, long Seen, long Applied, long? Served)> ChangeAsync(ConfigTarget target, string path, string text, string address, int port, string expect, TimeSpan timeout, string? appliedWith = null)
    {
        // Written next to the work files, outside the ADS server's directory, so that only the rename is an event there.
        var tmp = Path.Combine(_work, "next-" + Path.GetFileName(path));
        await File.WriteAllTextAsync(tmp, text, ct);
        var probeDone = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Proc.Start(Proc.InNetns(_clean.NetnsName, _clean.CgroupPath, o.ConnectTool, "wait", address, port.ToString(Inv), expect,
            ((long)timeout.TotalMilliseconds).ToString(Inv)), line =>
        {
            if (line == "started") probeStarted.TrySetResult();
            else if (line.StartsWith("seen=", StringComparison.Ordinal) || line.StartsWith("timeout", StringComparison.Ordinal)) probeDone.TrySetResult(line);
        });
        try
        {
            await probeStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            await Task.Delay(20, ct); // a few connects with the old outcome first
            int skip;
            lock (_daemonLines)
                skip = _daemonLines.Count;
            var serverSkip = ServerLineCount();
            var t0 = Proc.MonotonicNs();
            File.Move(tmp, path, overwrite: true);
            var line = await probeDone.Task.WaitAsync(timeout + TimeSpan.FromSeconds(10), ct);
            if (!line.StartsWith("seen=", StringComparison.Ordinal))
                throw new TimeoutException($"no connect to {address}:{port} saw the change within {timeout}; daemon log:\n{_daemon!.Log}");
            var seen = long.Parse(Regex.Match(line, @"seen=(\d+)").Groups[1].Value, Inv);
            var applied = await WaitAppliedAsync(skip, timeout, appliedWith);
            return (t0, seen, applied, target.Server is null ? null : ServerPublished(serverSkip));
        }
        finally
        {
            Proc.Stop(probe);
        }
    }

    private async Task<long> WaitAppliedAsync(int skip, TimeSpan timeout, string? with)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_daemonLines)
            {
                foreach (var (ns, line) in _daemonLines.Skip(skip))
                {
                    if (line.Contains("Applied config", StringComparison.Ordinal) && (with is null || line.Contains(with, StringComparison.Ordinal)))
                        return ns;
                    if (line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("error", StringComparison.OrdinalIgnoreCase))
                        throw new InvalidOperationException($"the daemon reported a problem: {line}");
                }
            }
            await Task.Delay(5, ct);
        }
        throw new TimeoutException($"no 'Applied config' within {timeout}; daemon log:\n{_daemon!.Log}");
    }

    private async Task IdleAsync(string what)
    {
        await Task.Delay(2000, ct);
        var pid = _daemon!.Pid;
        var cpu0 = Measure.CpuSeconds(pid);
        var sw = Stopwatch.StartNew();
        await Task.Delay(o.Quick ? 3000 : 10000, ct);
        var cpuPct = (Measure.CpuSeconds(pid) - cpu0) / sw.Elapsed.TotalSeconds * 100;
        var rss = Measure.RssMiB(pid);
        _r.Idle.Add(new IdleSample(what, rss, cpuPct));
        Log($"daemon {what}: RSS {rss:0.0} MiB, CPU {cpuPct:0.00}%");
    }

    // ---------------------------------------------------------------- helpers

    private void LoadIptables(int n) =>
        Proc.Checked("ip", ["netns", "exec", _nat.NetnsName, "iptables-restore"], TimeSpan.FromMinutes(5), MeshConfig.IptablesRules(n));

    /// <returns>The server's process: <c>ip netns exec</c> execs the command, so its pid is the server's.</returns>
    private Process StartServer(string netns, string name, string[] command)
    {
        var log = Path.Combine(_work, $"{name}-{netns}.log");
        return Proc.Start("ip", ["netns", "exec", netns, .. command], line => File.AppendAllText(log, line + "\n"));
    }

    private static void Sysctl(string netns, string key, string value) =>
        Proc.Checked("ip", ["netns", "exec", netns, "sysctl", "-q", "-w", $"{key}={value}"]);

    private static bool Curl(string netns, string url, string? cgroup = null) =>
        Proc.Run(Proc.InNetns(netns, cgroup, "wrk", "-t1", "-c1", "-d1s", "--timeout", "1s", url), TimeSpan.FromSeconds(20)) is var (code, stdout, _)
        && code == 0 && Regex.IsMatch(stdout, @"\b[1-9]\d* requests in") && !stdout.Contains("Non-2xx", StringComparison.Ordinal) && !stdout.Contains("Socket errors", StringComparison.Ordinal);

    private async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 30; i++)
        {
            if (condition())
                return;
            await Task.Delay(300, ct);
        }
        throw new TimeoutException($"timed out waiting for {what}");
    }

    /// <summary>nginx with one worker answering <c>return 200</c> on <paramref name="listen"/>; files named after <paramref name="name"/>.</summary>
    private string NginxConf(string name, string listen)
    {
        var path = Path.Combine(_work, $"{name}.conf");
        File.WriteAllText(path, $$"""
            worker_processes 1;
            user root;
            pid {{_work}}/{{name}}.pid;
            error_log {{_work}}/{{name}}.err warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              keepalive_requests 100000000;
              keepalive_timeout 60s;
              server {
                listen {{listen}} backlog=4096;
                location / { return 200 "ok\n"; }
              }
            }
            """);
        return path;
    }

    private string HaproxyConf()
    {
        var path = Path.Combine(_work, "haproxy.cfg");
        File.WriteAllText(path, $"""
            global
              nbthread 1
              maxconn 8000
            defaults
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            frontend ftcp
              mode tcp
              bind 127.0.0.3:8081
              default_backend btcp
            backend btcp
              mode tcp
              server s1 {MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}
            frontend fhttp
              mode http
              option http-keep-alive
              bind 127.0.0.3:8082
              default_backend bhttp
            backend bhttp
              mode http
              http-reuse always
              server s1 {MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}

            """);
        return path;
    }

    private static string PrefixPins(string cgroup) => Path.Combine(KernelRequirement.BpffsRoot, Path.GetFileName(cgroup));

    private static void TryWrite(string path, string text)
    {
        try { File.WriteAllText(path, text); } catch (IOException) { }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private static void Log(string text) => Console.Error.WriteLine($"[bench] {text}");
}
