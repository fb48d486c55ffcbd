using Kmesh.Core.Check;
using Kmesh.Sdk.Translation;
using static Kmesh.Core.Tests.Check.Checks;

namespace Kmesh.Core.Tests.Check;

/// <summary>The outcome of each resource, decided from what the real translators report.</summary>
public class ConfigCheckTests
{
    private static string Resources(params string[] items) => "resources:\n" + string.Join("\n", items);

    [Fact]
    public void TcpServiceAndItsCluster_AreApplied_WithWhatTheyBecame()
    {
        var file = Checked(Resources(
            TcpListener("reviews", "10.96.0.15", 9080, TcpProxy("reviews")),
            Cluster("reviews", "10.0.0.7:9080", "10.0.0.8:9080")));

        Assert.Equal(FileStatus.Checked, file.Status);
        var listener = file.Resource("listener reviews");
        listener.AssertOutcome(ResourceOutcome.Applied);
        var vip = Assert.Single(listener.Applied);
        Assert.Equal((AppliedKind.Vip, "10.96.0.15:9080 → cluster 'reviews'", "routing"), (vip.Kind, vip.Detail, vip.Source));
        var cluster = file.Resource("cluster reviews");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal("ROUND_ROBIN load balancing; 2 of 2 endpoints take connects: 10.0.0.7:9080 50%, 10.0.0.8:9080 50%", cluster.Reason);
        Assert.Empty(cluster.Findings);
        Assert.Equal(new OutcomeCounts(2, 0, 0, 0), file.Counts);
    }

    [Fact]
    public void FaultWithAbortAndDelay_IsPartiallyApplied_EachNeedsL7FieldNamed()
    {
        const string fault = """
                    - name: envoy.filters.http.fault
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                        abort: { http_status: 503, percentage: { numerator: 10, denominator: HUNDRED } }
                        delay: { fixed_delay: 3s, percentage: { numerator: 50, denominator: HUNDRED } }
            """;
        var file = Checked(Resources(TcpListener("ratings", "10.96.0.20", 9080, Http("ratings", fault)), Cluster("ratings", "10.0.0.9:9080")));

        var listener = file.Resource("listener ratings");
        listener.AssertOutcome(ResourceOutcome.Partial);
        Assert.Equal(
            ["10.96.0.20:9080 → cluster 'ratings'", "fault abort: 10% of new connects refused with ECONNREFUSED"],
            listener.Applied.Select(f => f.Detail));
        const string filter = "filter_chains[0].filters[0].typed_config.http_filters[0].typed_config";
        Assert.Equal([filter + ".delay", filter + ".abort.http_status"],
            listener.Findings.Where(f => f.Severity == DiagnosticSeverity.Warning).Select(f => f.Field));
        Assert.All(listener.Findings, f => Assert.Contains("needs L7", f.Message));
    }

    [Fact]
    public void InvalidWeights_AreRejected_NamingResourceFieldAndWhy()
    {
        const string split = """
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: split
                    weighted_clusters: { clusters: [ { name: a, weight: 0 }, { name: b, weight: 0 } ] }
            """;
        var file = Checked(Resources(TcpListener("split", "10.96.0.30", 80, split)));

        var listener = file.Resource("listener split");
        listener.AssertOutcome(ResourceOutcome.Rejected);
        var error = listener.Findings[0];
        Assert.Equal((DiagnosticSeverity.Error, "filter_chains[0].filters[0].typed_config.weighted_clusters", "routing"), (error.Severity, error.Field, error.Source));
        Assert.Contains("every cluster has weight 0", error.Message);
        Assert.Equal(error.Text, listener.Reason);
    }

    [Fact]
    public void ResourceThatDoesNotParse_IsRejectedWithLineAndField_TheFileStillChecked()
    {
        var file = Checked(Resources(
            TcpListener("reviews", "10.96.0.15", 9080, TcpProxy("reviews")),
            Cluster("reviews", "10.0.0.7:9080") + "\n  lb_polcy: RANDOM"));

        Assert.Equal(FileStatus.Checked, file.Status);
        file.Resource("listener reviews").AssertOutcome(ResourceOutcome.Applied);
        var cluster = file.Resource("cluster reviews");
        cluster.AssertOutcome(ResourceOutcome.Rejected);
        var error = cluster.Findings[0];
        Assert.Equal((CheckSources.Parser, "resources[1].lb_polcy", 20), (error.Source, error.Field, error.Line));
        Assert.Contains("unknown field 'lb_polcy'", error.Message);
        Assert.StartsWith("does not parse: line 20: resources[1].lb_polcy: unknown field 'lb_polcy'", cluster.Reason);
        Assert.False(file.WholeFileLoads);
        Assert.Equal(0, new CheckReport([], false, [file]).ExitCode);
    }

    [Fact]
    public void ListenerWithoutAddress_IsNotUsed_WithTheRoutingPluginsReason()
    {
        var file = Checked(Resources("""
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: main_internal
              internal_listener: {}
              filter_chains:
              - filters:
            """ + "\n" + TcpProxy("reviews")));

        var listener = file.Resource("listener main_internal");
        listener.AssertOutcome(ResourceOutcome.NotUsed);
        Assert.Equal("address: the listener has no address, so it is not a connect-time service; skipped", listener.Reason);
        Assert.Equal("routing", listener.Findings[0].Source);
    }

    [Fact]
    public void BootstrapSecretsAndProcessSettings_AreNotUsed_WithWhy()
    {
        var file = Checked("""
            admin:
              address: { socket_address: { address: 127.0.0.1, port_value: 9901 } }
            static_resources:
              secrets:
              - name: server-cert
            """);

        Assert.Equal("bootstrap", file.Shape);
        Assert.Equal(["bootstrap field admin", "secret server-cert"], file.Resources.Select(r => r.Resource));
        Assert.All(file.Resources, r => r.AssertOutcome(ResourceOutcome.NotUsed));
        Assert.Contains("admin interface", file.Resource("bootstrap field admin").Reason);
        Assert.Contains("TLS", file.Resource("secret server-cert").Reason);
    }

    [Fact]
    public void EmptyChain_NothingIsApplied_AndTheReasonSaysSo()
    {
        var file = new ConfigCheck([]).CheckText("mesh.yaml", Resources(Cluster("reviews", "10.0.0.7:9080")));

        var cluster = file.Resource("cluster reviews");
        cluster.AssertOutcome(ResourceOutcome.NotUsed);
        Assert.Equal("no plugin of the chain (empty) acted on it or said why", cluster.Reason);
    }

    [Fact]
    public void Assignment_IsAppliedThroughItsEdsCluster_AnOrphanIsNotUsed()
    {
        var file = Checked(Resources("""
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: db
              type: EDS
              eds_cluster_config: { eds_config: { ads: {} } }
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: db
              endpoints:
              - priority: 0
                lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 5432 } } }
              - priority: 1
                lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.1.1, port_value: 5432 } } }
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: orphan
            """));

        var cluster = file.Resource("cluster db");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal("1 of 2 endpoints take connects: 10.0.0.1:5432 100%; priorities 0, 1", cluster.Applied.Single(f => f.Kind == AppliedKind.Endpoints).Detail);
        var assignment = file.Resource("cluster load assignment db");
        assignment.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal(["cluster db"], assignment.UsedBy);
        Assert.StartsWith("the endpoints of cluster db: 1 of 2 endpoints", Assert.Single(assignment.Applied).Detail);
        var orphan = file.Resource("cluster load assignment orphan");
        orphan.AssertOutcome(ResourceOutcome.NotUsed);
        Assert.StartsWith("no EDS cluster in this file takes its endpoints from it", orphan.Reason);
    }

    [Fact]
    public void RouteConfiguration_IsAppliedThroughTheListenerThatFetchesIt()
    {
        var file = Checked(Resources("""
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: web
              address: { socket_address: { address: 10.96.0.40, port_value: 80 } }
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: web
                    rds: { route_config_name: web-routes, config_source: { ads: {} } }
                    http_filters:
                    - name: envoy.filters.http.router
                      typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: web-routes
              virtual_hosts:
              - name: all
                domains: ["*"]
                routes:
                - match: { prefix: "/" }
                  route: { cluster: web }
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: unused-routes
            """));

        file.Resource("listener web").AssertOutcome(ResourceOutcome.Applied);
        var routes = file.Resource("route configuration web-routes");
        routes.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal(["listener web"], routes.UsedBy);
        Assert.Equal("the routes of listener web, which routes 1 VIP", routes.Reason);
        Assert.StartsWith("no listener in this file fetches it over RDS", file.Resource("route configuration unused-routes").Reason);
    }

    [Fact]
    public void NetworkRateLimit_IsApplied_HttpRateLimit_NeedsL7()
    {
        const string limit = """
                - name: envoy.filters.network.local_ratelimit
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
                    stat_prefix: rl
                    token_bucket: { max_tokens: 5, tokens_per_fill: 1, fill_interval: 1s }
            """;
        const string httpLimit = """
                    - name: envoy.filters.http.local_ratelimit
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                        stat_prefix: http_rl
                        token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: 5s }
            """;
        var file = Checked(Resources(
            TcpListener("tcp", "10.96.0.50", 80, limit + "\n" + TcpProxy("backend")),
            TcpListener("http", "10.96.0.51", 80, Http("backend", httpLimit))));

        var tcp = file.Resource("listener tcp");
        tcp.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains(tcp.Applied, f => f.Kind == AppliedKind.Policy && f.Detail.StartsWith("connection rate limit: a bucket of 5 tokens, 1 added every 1 s", StringComparison.Ordinal));
        var http = file.Resource("listener http");
        http.AssertOutcome(ResourceOutcome.Partial);
        var warning = Assert.Single(http.Findings);
        Assert.Equal(("filter_chains[0].filters[0].typed_config.http_filters[0]", "ratelimit"), (warning.Field, warning.Source));
        Assert.Contains("needs L7", warning.Message);
    }

    [Fact]
    public void UnnamedListeners_AreNamedByWhereTheyAre_AndKeepTheirOwnOutcomes()
    {
        var file = Checked("""
            static_resources:
              listeners:
              - address: { socket_address: { address: 10.96.0.60, port_value: 80 } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.tcp_proxy
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: a, cluster: a }
              - address: { socket_address: { address: 0.0.0.0, port_value: 80 } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.tcp_proxy
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: b, cluster: b }
            """);

        var first = file.Resource("listener (unnamed, listeners[0])");
        first.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal("10.96.0.60:80 → cluster 'a'", first.Reason);
        Assert.Equal("", first.Name);
        file.Resource("listener (unnamed, listeners[1])").AssertOutcome(ResourceOutcome.NotUsed);
    }

    [Fact]
    public void UnknownFilterType_IsAWarningOfItsResource_WithItsLine()
    {
        const string istio = """
                - name: istio.metadata_exchange
                  typed_config: { "@type": type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange }
            """;
        var file = Checked(Resources(TcpListener("reviews", "10.96.0.15", 9080, istio + "\n" + TcpProxy("reviews"))));

        var listener = file.Resource("listener reviews");
        listener.AssertOutcome(ResourceOutcome.Partial);
        var warning = Assert.Single(listener.Findings);
        Assert.Equal((CheckSources.Parser, "resources[0].filter_chains[0].filters[0].typed_config", 8), (warning.Source, warning.Field, warning.Line));
    }

    [Fact]
    public void DnsCluster_HostNamesStandForOneEndpointEach_AndAnInfoSaysSo()
    {
        var file = Checked(Resources("""
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: web
              type: STRICT_DNS
              load_assignment:
                cluster_name: web
                endpoints:
                - lb_endpoints:
                  - endpoint: { address: { socket_address: { address: web-1.example, port_value: 80 } } }
                  - endpoint: { address: { socket_address: { address: web-2.example, port_value: 80 } } }
            """));

        var cluster = file.Resource("cluster web");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal("2 of 2 endpoints take connects: web-1.example:80 50%, web-2.example:80 50%", cluster.Applied.Single(f => f.Kind == AppliedKind.Endpoints).Detail);
        var info = Assert.Single(cluster.Findings);
        Assert.Equal((DiagnosticSeverity.Info, CheckSources.Check), (info.Severity, info.Source));
        Assert.Contains("does not look up web-1.example, web-2.example", info.Message);
    }

    [Fact]
    public void DnsCluster_ResolvedNow_WhenAsked_WithoutTheStandInInfo()
    {
        var yaml = Resources("""
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: local
              type: LOGICAL_DNS
              load_assignment:
                cluster_name: local
                endpoints:
                - lb_endpoints:
                  - endpoint: { address: { socket_address: { address: localhost, port_value: 80 } } }
            """);

        var file = new ConfigCheck(OurChain, new CheckOptions { ResolveDns = true }).CheckText("mesh.yaml", yaml);

        var cluster = file.Resource("cluster local");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal("1 of 1 endpoints take connects: localhost:80 100%", cluster.Applied.Single(f => f.Kind == AppliedKind.Endpoints).Detail);
        Assert.Empty(cluster.Findings);
    }

    [Fact]
    public void TranslatorThatThrows_FileIsNotComplete_AndTheExitCodeSaysSo()
    {
        var chain = OurChain.Append(new CheckPlugin("broken", "0.1.0", new ThrowingTranslator())).ToList();

        var file = new ConfigCheck(chain).CheckText("mesh.yaml", Resources(Cluster("reviews", "10.0.0.7:9080")));

        Assert.Equal(FileStatus.PluginFailed, file.Status);
        Assert.Contains("plugin broken: its translator threw InvalidOperationException: no", file.Problem!.Message);
        file.Resource("cluster reviews").AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal(1, new CheckReport([], false, [file]).ExitCode);
    }

    [Theory]
    [InlineData("""{ "workloads": [] }""", FileStatus.NotEnvoyXds, "not Envoy xDS: z.json:1:3: ")]
    [InlineData("a: [", FileStatus.NotParsed, "z.json:2:1: invalid YAML")]
    [InlineData("static_resources: { listners: [] }", FileStatus.NotParsed, "z.json:1:21: static_resources.listners: unknown field")]
    public void FileNotUnderstood_HasNoResources_AndFailsTheExitCode(string text, FileStatus status, string message)
    {
        var file = Checked(text, "z.json");

        Assert.Equal(status, file.Status);
        Assert.StartsWith(message, file.Problem!.Message);
        Assert.Empty(file.Resources);
        Assert.False(file.WholeFileLoads);
        Assert.Equal(1, new CheckReport([], false, [Checked(Resources(Cluster("a", "10.0.0.1:80"))), file]).ExitCode);
    }

    [Fact]
    public void MissingFile_IsUnreadable()
    {
        var report = new ConfigCheck(OurChain).Run(["/nonexistent/mesh.yaml"]);

        var file = Assert.Single(report.Files);
        Assert.Equal(FileStatus.Unreadable, file.Status);
        Assert.StartsWith("/nonexistent/mesh.yaml: ", file.Problem!.Message);
        Assert.Equal(1, report.ExitCode);
    }

    /// <summary>A plugin with a bug: its failure must show, not vanish.</summary>
    private sealed class ThrowingTranslator : ITranslator
    {
        public void Translate(Kmesh.Sdk.Snapshot.MeshSnapshot snapshot, TranslationOutput output) => throw new InvalidOperationException("no");
    }
}
