using YamlDotNet.RepresentationModel;

namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>The DaemonSet probes and scrapes the paths and port docs/admin-api.md gives, and keeps the admin API on loopback.</summary>
public sealed class DaemonSetTests
{
    [Fact]
    public void Probes_HitTheContractsPathsOnLoopbackAdminPort()
    {
        var container = Container(DaemonSet());

        Assert.Equal("/ready", Probe(container, "readinessProbe", out var readinessHost, out var readinessPort));
        Assert.Equal("/healthz", Probe(container, "livenessProbe", out var livenessHost, out var livenessPort));
        Assert.Equal(("127.0.0.1", "15200"), (readinessHost, readinessPort));
        Assert.Equal(("127.0.0.1", "15200"), (livenessHost, livenessPort));
    }

    [Fact]
    public void AdminApi_IsLoopbackUnlessThePatchBindsAllAndTurnsScrapingOn()
    {
        var daemonSet = DaemonSet();
        var container = Container(daemonSet);
        Assert.Contains("--admin=$(KMESH_ADMIN)", ((YamlSequenceNode)container["args"]).Select(a => a.ToString()));
        Assert.Equal("127.0.0.1:15200", Env(container, "KMESH_ADMIN"));
        var annotations = Annotations(daemonSet);
        // By default the annotations point at the waypoint container's metrics (15201), not at the loopback admin API.
        Assert.Equal("15201", annotations["prometheus.io/port"].ToString());
        Assert.Equal("/metrics", annotations["prometheus.io/path"].ToString());

        var patch = (YamlMappingNode)Load("admin-scrape-patch.yaml").Single().RootNode;
        Assert.Equal("true", Annotations(patch)["prometheus.io/scrape"].ToString());
        Assert.Equal("15200", Annotations(patch)["prometheus.io/port"].ToString());
        Assert.Equal("0.0.0.0:15200", Env(Container(patch), "KMESH_ADMIN"));
    }

    private static YamlMappingNode DaemonSet() =>
        Load("daemonset.yaml").Select(d => (YamlMappingNode)d.RootNode).Single(d => d["kind"].ToString() == "DaemonSet");

    private static YamlMappingNode Container(YamlMappingNode workload) =>
        ((YamlSequenceNode)Spec(workload)["containers"]).Cast<YamlMappingNode>().Single(c => c["name"].ToString() == "kmesh");

    private static YamlMappingNode Spec(YamlMappingNode workload) =>
        (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)workload["spec"])["template"])["spec"];

    private static YamlMappingNode Annotations(YamlMappingNode workload) =>
        (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)workload["spec"])["template"])["metadata"])["annotations"];

    private static string Probe(YamlMappingNode container, string probe, out string host, out string port)
    {
        var get = (YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"];
        host = get["host"].ToString();
        port = get["port"].ToString();
        return get["path"].ToString();
    }

    private static string Env(YamlMappingNode container, string name) =>
        ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Single(e => e["name"].ToString() == name)["value"].ToString();

    private static IReadOnlyList<YamlDocument> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Path.GetDirectoryName(RepoPaths.DaemonSet)!, file));
        stream.Load(reader);
        return [.. stream.Documents];
    }
}
