using YamlDotNet.RepresentationModel;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// The DaemonSet runs the waypoint as a container of its own, the way docs/waypoint.md describes:
/// host network, serving the node's IP, probed and scraped on its admin port, and the daemon
/// steering to that same IP.
/// </summary>
public sealed class DaemonSetWaypointTests
{
    private static readonly YamlMappingNode DaemonSet = Load();

    [Fact]
    public void Waypoint_ServesTheNodeIpFromTheDownwardApi_WithItsAdminOnTheNodeIp()
    {
        var waypoint = Container("waypoint");

        var args = Args(waypoint);
        Assert.Equal("waypoint", args[0]);
        Assert.Contains("--listen=$(NODE_IP)", args);
        Assert.Contains("--admin=$(NODE_IP):15201", args);
        Assert.Equal("status.hostIP", NodeIpField(waypoint));
        Assert.Equal("true", Spec()["hostNetwork"].ToString());
    }

    [Fact]
    public void Waypoint_IsProbedOnItsAdminPort()
    {
        var waypoint = Container("waypoint");

        Assert.Equal(("15201", "/ready"), Probe(waypoint, "readinessProbe"));
        Assert.Equal(("15201", "/healthz"), Probe(waypoint, "livenessProbe"));
    }

    [Fact]
    public void PodAnnotations_LetPrometheusScrapeTheWaypointsMetrics()
    {
        var annotations = (YamlMappingNode)Template()["metadata"]["annotations"];

        Assert.Equal("true", annotations["prometheus.io/scrape"].ToString());
        Assert.Equal("15201", annotations["prometheus.io/port"].ToString());
        Assert.Equal("/metrics", annotations["prometheus.io/path"].ToString());
    }

    [Fact]
    public void Daemon_SteersToTheWaypointsAddress_AndWatchesItsAdmin()
    {
        var daemon = Container("kmesh");

        var args = Args(daemon);
        Assert.Contains("--waypoint=$(NODE_IP)", args);
        Assert.Contains("--waypoint-admin=$(NODE_IP):15201", args);
        Assert.Equal("status.hostIP", NodeIpField(daemon));
    }

    [Fact]
    public void Waypoint_RunsCompletionsInlineAndWorkersDoNotSpin_TheDaemonKeepsTheDefaults()
    {
        var waypoint = Env(Container("waypoint"));
        var daemon = Env(Container("kmesh"));

        Assert.Equal("1", waypoint.GetValueOrDefault(Kmesh.Waypoint.Hosting.InlineSocketCompletions.Variable));
        Assert.Equal("0", waypoint.GetValueOrDefault("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"));
        // The daemon's socket continuations may wait on the kernel (map updates): not for its engine thread.
        Assert.False(daemon.ContainsKey(Kmesh.Waypoint.Hosting.InlineSocketCompletions.Variable));
    }

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        container.Children.TryGetValue("env", out var env)
            ? ((YamlSequenceNode)env).Cast<YamlMappingNode>().Where(e => e.Children.ContainsKey("value")).ToDictionary(e => e["name"].ToString(), e => e["value"].ToString())
            : [];

    private static YamlMappingNode Template() => (YamlMappingNode)DaemonSet["spec"]["template"];

    private static YamlMappingNode Spec() => (YamlMappingNode)Template()["spec"];

    private static YamlMappingNode Container(string name) =>
        ((YamlSequenceNode)Spec()["containers"]).Cast<YamlMappingNode>().Single(c => c["name"].ToString() == name);

    private static List<string> Args(YamlMappingNode container) => [.. ((YamlSequenceNode)container["args"]).Select(a => a.ToString())];

    private static string NodeIpField(YamlMappingNode container) =>
        ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Single(e => e["name"].ToString() == "NODE_IP")
            ["valueFrom"]["fieldRef"]["fieldPath"].ToString();

    private static (string Port, string Path) Probe(YamlMappingNode container, string probe)
    {
        var get = container[probe]["httpGet"];
        return (get["port"].ToString(), get["path"].ToString());
    }

    private static YamlMappingNode Load()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
            dir = dir.Parent;
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(dir?.FullName ?? throw new InvalidOperationException("no Kmesh.sln above the test"), "deploy", "kubernetes", "daemonset.yaml"));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Single(d => d["kind"].ToString() == "DaemonSet");
    }
}
