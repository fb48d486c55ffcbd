using System.Globalization;

namespace Kmesh.Bench;

/// <summary>
/// Same-node acceleration (issues 7 and 17): an nginx inside the governed cgroup, so that a client of
/// the cgroup dialing its VIP, or its own address, has both ends local and every send goes socket to socket.
/// </summary>
public sealed partial class Bench
{
    /// <summary>The keep-alive connection counts of the same-node runs.</summary>
    public static readonly int[] SameNodeConns = [1, 16];

    private sealed record SameNodeVariant(string Name, string? Cgroup, string Url);

    /// <summary>
    /// direct: wrk outside the cgroup dials that nginx's own address, plain loopback TCP (the mesh
    /// never sees wrk's sockets, and only listen/accept of nginx's). pod-ip: wrk inside the cgroup
    /// dials the same address, as a client of a headless service dials a pod: no VIP, nothing routed,
    /// both sockets go into the sockhash. accelerated: wrk inside the cgroup dials the VIP; the daemon
    /// (chain including accelerate) routes the connect, then both sockets go into the sockhash. Same
    /// nginx, same wrk settings; rounds rotate the order.
    /// </summary>
    private async Task SameNodeAsync()
    {
        var ns = _clean.NetnsName;
        _r.SameNodeSeconds = WrkSeconds;
        var direct = $"http://{MeshConfig.LocalBackend}:{MeshConfig.WebBackendPort}/";
        var variants = new SameNodeVariant[]
        {
            new("direct", null, direct), new("pod-ip", _clean.CgroupPath, direct), new("accelerated", _clean.CgroupPath, $"http://{MeshConfig.LocalVip}/"),
        };
        Log($"same-node: nginx in the governed cgroup; {SameNodeConns.Length} connection counts x {variants.Length} variants x {Rounds} rounds x {WrkSeconds}s (wrk, keep-alive)");
        var log = Path.Combine(_work, "nginx-local.log");
        var nginx = Proc.Start(Proc.InNetns(ns, _clean.CgroupPath, "nginx", "-c", NginxConf("nginx-local", $"{MeshConfig.LocalBackend}:{MeshConfig.WebBackendPort}"), "-g", "daemon off;"),
            line => File.AppendAllText(log, line + "\n"));
        try
        {
            await WaitUntilAsync(() => Curl(ns, direct), "the nginx in the governed cgroup to answer");
            _r.SameNodeProblem = CheckAccelerated(nginx.Id, variants[1..]);
            if (_r.SameNodeProblem is { } problem)
                Log($"  WARNING: {problem}");
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var conns in SameNodeConns)
                {
                    for (var j = 0; j < variants.Length; j++)
                    {
                        ct.ThrowIfCancellationRequested();
                        var v = variants[(j + round) % variants.Length];
                        var before = v.Cgroup is null ? null : Measure.AccCounters(_clean.PinPath);
                        string[] wrk = ["wrk", "-t1", $"-c{conns}", $"-d{WrkSeconds}s", "--latency", "--timeout", "2s", v.Url];
                        var res = Measure.ParseWrk(Proc.Checked(Proc.InNetns(ns, v.Cgroup, wrk), TimeSpan.FromSeconds(WrkSeconds + 30)));
                        var acc = Grown(before, v.Cgroup is null ? null : Measure.AccCounters(_clean.PinPath));
                        _r.SameNode.Add(new SameNodeSample(conns, v.Name, round, res, acc));
                        Log($"  same-node c={conns,-2} {v.Name,-12} p50 {res.P50,8:0.0}us p99 {res.P99,8:0.0}us {res.Rps,9:0} req/s" +
                            (acc is null ? "" : $"  acc: +{acc.Connections} conns, +{acc.Bytes / 1e6:0.0} MB") +
                            (res.Errors + res.Non2xx > 0 ? $"  errors {res.Errors} non-2xx {res.Non2xx}" : ""));
                        await Task.Delay(200, ct);
                    }
                }
            }
        }
        finally
        {
            Proc.Stop(nginx);
        }
    }

    /// <summary>
    /// The preconditions of acceleration, checked once before measuring: nginx in the governed cgroup,
    /// the accelerate plugin loaded, and a connection of each governed variant (pod address, VIP) put
    /// socket to socket. Null when all hold.
    /// </summary>
    private string? CheckAccelerated(int nginxPid, IEnumerable<SameNodeVariant> governedVariants)
    {
        var governed = "0::/" + Path.GetFileName(_clean.CgroupPath);
        if (!File.ReadAllLines($"/proc/{nginxPid.ToString(CultureInfo.InvariantCulture)}/cgroup").Contains(governed))
            return "nginx is not in the governed cgroup: the same-node runs measure no acceleration";
        foreach (var v in governedVariants)
        {
            var before = Measure.AccCounters(_clean.PinPath);
            if (before is null)
                return "the daemon's chain has no accelerate plugin (no acc_counters pin): the same-node runs measure routing only";
            Curl(_clean.NetnsName, v.Url, v.Cgroup);
            var grown = Grown(before, Measure.AccCounters(_clean.PinPath));
            if (grown is not { Connections: > 0, Bytes: > 0 })
                return $"a request of {v.Name} ({v.Url}) from the governed cgroup was not accelerated (acc_counters grew by {grown}); daemon log:\n{_daemon!.Log}";
        }
        return null;
    }

    private static AccDelta? Grown(AccDelta? before, AccDelta? after) =>
        before is null || after is null ? null
            : new AccDelta(after.Connections - before.Connections, after.Messages - before.Messages, after.Bytes - before.Bytes);
}
