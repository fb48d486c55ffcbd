using System.Text.Json;
using Kmesh.Core.Check;
using static Kmesh.Core.Tests.Check.Checks;

namespace Kmesh.Core.Tests.Check;

/// <summary>
/// The two forms of a report. The JSON one is a contract (docs/config-check.md): these tests
/// hold its field names and values, so a change to them is a visible, deliberate one.
/// </summary>
public class CheckWritersTests
{
    private const string Mesh = """
        resources:
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: reviews
          address: { socket_address: { address: 10.96.0.15, port_value: 9080 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: r, cluster: reviews }
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: reviews
          type: STATIC
          lb_policy: CLUSTER_PROVIDED
          load_assignment:
            cluster_name: reviews
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 10.0.0.7, port_value: 9080 } } }
        - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
          cluster_name: orphan
        """;

    private static CheckReport Report() => new(
        [("routing", "1.0.0"), ("loadbalance", "1.0.0")], false,
        [Checked(Mesh, "mesh.yaml"), Checked("""{ "workloads": [] }""", "ztunnel.json")]);

    [Fact]
    public void Json_HasEveryDocumentedFieldWithItsValue()
    {
        using var json = JsonDocument.Parse(CheckJsonWriter.Write(Report()));
        var root = json.RootElement;

        Assert.Equal(["schemaVersion", "plugins", "dnsResolved", "files", "totals", "exitCode"], Names(root));
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(["name", "version"], Names(root.GetProperty("plugins")[0]));
        Assert.False(root.GetProperty("dnsResolved").GetBoolean());
        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("""{"files":2,"filesNotChecked":1,"resources":3,"applied":1,"partial":1,"rejected":0,"notUsed":1}""",
            root.GetProperty("totals").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));

        var file = root.GetProperty("files")[0];
        Assert.Equal(["path", "status", "shape", "problem", "wholeFileLoads", "counts", "resources", "unattributed"], Names(file));
        Assert.Equal(("mesh.yaml", "checked", "resource list", JsonValueKind.Null, true),
            (file.GetProperty("path").GetString(), file.GetProperty("status").GetString(), file.GetProperty("shape").GetString(),
             file.GetProperty("problem").ValueKind, file.GetProperty("wholeFileLoads").GetBoolean()));
        Assert.Equal(["resources", "applied", "partial", "rejected", "notUsed"], Names(file.GetProperty("counts")));

        var listener = file.GetProperty("resources")[0];
        Assert.Equal(["kind", "name", "resource", "path", "line", "outcome", "reason", "applied", "findings", "usedBy"], Names(listener));
        Assert.Equal(("listener", "reviews", "listener reviews", "resources[0]", 2, "applied"),
            (listener.GetProperty("kind").GetString(), listener.GetProperty("name").GetString(), listener.GetProperty("resource").GetString(),
             listener.GetProperty("path").GetString(), listener.GetProperty("line").GetInt32(), listener.GetProperty("outcome").GetString()));
        var fact = listener.GetProperty("applied")[0];
        Assert.Equal(["kind", "field", "detail", "source"], Names(fact));
        Assert.Equal(("vip", "10.96.0.15:9080 → cluster 'reviews'", "routing"),
            (fact.GetProperty("kind").GetString(), fact.GetProperty("detail").GetString(), fact.GetProperty("source").GetString()));

        var cluster = file.GetProperty("resources")[1];
        Assert.Equal("partial", cluster.GetProperty("outcome").GetString());
        var finding = cluster.GetProperty("findings")[0];
        Assert.Equal(["severity", "field", "message", "source", "line"], Names(finding));
        Assert.Equal(("warning", "lb_policy", "loadbalance", JsonValueKind.Null),
            (finding.GetProperty("severity").GetString(), finding.GetProperty("field").GetString(), finding.GetProperty("source").GetString(), finding.GetProperty("line").ValueKind));

        var orphan = file.GetProperty("resources")[2];
        Assert.Equal(("clusterLoadAssignment", "notUsed", 0), (orphan.GetProperty("kind").GetString(), orphan.GetProperty("outcome").GetString(), orphan.GetProperty("usedBy").GetArrayLength()));

        var ztunnel = root.GetProperty("files")[1];
        Assert.Equal(("notEnvoyXds", JsonValueKind.Null, false, 0),
            (ztunnel.GetProperty("status").GetString(), ztunnel.GetProperty("shape").ValueKind, ztunnel.GetProperty("wholeFileLoads").GetBoolean(), ztunnel.GetProperty("resources").GetArrayLength()));
        var problem = ztunnel.GetProperty("problem");
        Assert.Equal(["message", "line", "column", "field"], Names(problem));
        Assert.Equal((1, 3), (problem.GetProperty("line").GetInt32(), problem.GetProperty("column").GetInt32()));
    }

    [Fact]
    public void Text_OneLinePerResource_LeftOutPartsBelow_CountsAfterEachFile()
    {
        var output = new StringWriter();

        CheckTextWriter.Write(output, Report());

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal(
        [
            "mesh.yaml (resource list)",
            "  applied    listener reviews (line 2): 10.96.0.15:9080 → cluster 'reviews'",
            "  partial    cluster reviews (line 9): ROUND_ROBIN load balancing; 1 of 1 endpoints take connects: 10.0.0.7:9080 100%",
            "             warning lb_policy: ClusterProvided is not supported; using ROUND_ROBIN",
            "  not used   cluster load assignment orphan (line 18): no EDS cluster in this file takes its endpoints from it (eds_cluster_config.service_name, else the cluster's name)",
            "  3 resources: 1 applied, 1 partially applied, 0 rejected, 1 not used",
        ], lines.SkipWhile(l => !l.StartsWith("mesh.yaml", StringComparison.Ordinal)).Take(6));
        Assert.Contains("ztunnel.json: NOT CHECKED: not Envoy xDS: ztunnel.json:1:3: ", output.ToString());
        Assert.Equal("2 files (1 not checked), 3 resources: 1 applied, 1 partially applied, 0 rejected, 1 not used", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Text_Verbose_ShowsEveryFactAndFindingWithItsSource()
    {
        var output = new StringWriter();

        CheckTextWriter.Write(output, Report(), verbose: true);

        Assert.Contains("             policy: lb_policy: ROUND_ROBIN load balancing [loadbalance]", output.ToString());
        Assert.Contains("             warning lb_policy: ClusterProvided is not supported; using ROUND_ROBIN [loadbalance]", output.ToString());
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();
}
