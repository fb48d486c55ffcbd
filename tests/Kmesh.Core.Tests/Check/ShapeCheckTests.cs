using Kmesh.Core.Check;
using Kmesh.Sdk.Translation;
using static Kmesh.Core.Tests.Check.Checks;

namespace Kmesh.Core.Tests.Check;

/// <summary>
/// <c>kmesh config check</c> on files in the shapes others keep Envoy resources in (tests/shapes):
/// every resource in them is accounted for with the outcome it deserves, none lost as unknown.
/// </summary>
public class ShapeCheckTests
{
    private static FileResult Check(string name) => new ConfigCheck(OurChain).CheckFile(CorpusFiles.ShapeFile(name));

    [Fact]
    public void DeltaGoldenFile_WrappedResourcesAreApplied()
    {
        const string reviews = "outbound|9080||reviews.default.svc.cluster.local";

        var file = Check("delta-golden.yaml");

        Assert.Equal((FileStatus.Checked, "resource list", true), (file.Status, file.Shape, file.WholeFileLoads));
        Assert.Equal([$"cluster {reviews}", $"cluster load assignment {reviews}", "listener 10.96.0.21_9080"], file.Resources.Select(r => r.Resource));
        Assert.Equal(["resources[0].resource", "resources[1].resource", "resources[2].resource"], file.Resources.Select(r => r.FieldPath));
        var cluster = file.Resource($"cluster {reviews}");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains("2 of 2 endpoints take connects", cluster.Reason);
        file.Resource($"cluster load assignment {reviews}").AssertOutcome(ResourceOutcome.Applied);
        var listener = file.Resource("listener 10.96.0.21_9080");
        listener.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains($"10.96.0.21:9080 → cluster '{reviews}'", listener.Reason);
    }

    [Fact]
    public void SotwWrappedJson_BothClustersApplied()
    {
        var file = Check("sotw-wrapped.json");

        Assert.Equal(["cluster ratings", "cluster details"], file.Resources.Select(r => r.Resource));
        Assert.All(file.Resources, r => r.AssertOutcome(ResourceOutcome.Applied));
    }

    [Fact]
    public void WrapperNamingAnotherResource_IsRejected_NamingBothAndTheField()
    {
        var file = Checked("""
            resources:
            - name: reviews-v2
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: reviews }
            """);

        var cluster = file.Resource("cluster reviews");
        cluster.AssertOutcome(ResourceOutcome.Rejected);
        var error = cluster.Findings[0];
        Assert.Equal((DiagnosticSeverity.Error, "resources[0].name", 2), (error.Severity, error.Field, error.Line));
        Assert.Contains("named 'reviews-v2' but the envoy.config.cluster.v3.Cluster it wraps has name 'reviews'", error.Message);
        Assert.False(file.WholeFileLoads);
    }

    [Fact]
    public void ConfigDumpWithCopies_CopiesAreNotUsedNamingTheirOriginal_NothingRejected()
    {
        var file = Check("config-dump-copies.json");

        Assert.Equal((FileStatus.Checked, "config dump", true), (file.Status, file.Shape, file.WholeFileLoads));
        Assert.DoesNotContain(file.Resources, r => r.Outcome == ResourceOutcome.Rejected);
        var copies = file.Resources.Where(r => r.Resource.Contains("(copy at ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, copies.Count);
        Assert.All(copies, c => c.AssertOutcome(ResourceOutcome.NotUsed));
        Assert.Equal("copy of the route configuration inline in listener web_80 (a config dump lists inline routes again under static_route_configs)",
            file.Resource("route configuration local_route (copy at configs[4].static_route_configs[1].route_config)").Reason);
        Assert.StartsWith("copy of the endpoints of STATIC cluster admin",
            file.Resource("cluster load assignment (unnamed, configs[2].dynamic_endpoint_configs[0].endpoint_config) (copy at configs[2].dynamic_endpoint_configs[0].endpoint_config)").Reason);
        // What the copies copy is applied, through its own resources.
        Assert.Contains("10.96.0.30:80 → cluster 'web'", file.Resource("listener web_80").Reason);
        Assert.Contains("10.244.2.10:8080 50%", file.Resource("cluster web").Reason);
        file.Resource("cluster load assignment api").AssertOutcome(ResourceOutcome.Applied);
    }

    [Fact]
    public void ListenerWhoseRdsRoutesAreNotInTheFile_IsWaitingForThem_NotRejected()
    {
        var listener = Check("config-dump-copies.json").Resource("listener 10.96.0.32_80");

        listener.AssertOutcome(ResourceOutcome.NotUsed);
        Assert.StartsWith("waiting for route configuration http.80: not in this file", listener.Reason);
        var info = Assert.Single(listener.Findings, f => f.Field == "filter_chains[0].filters[0].typed_config");
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
    }

    [Fact]
    public void ListenerWithItsRdsRoutesInTheFile_DoesNotWait()
    {
        var file = Checked($$"""
            resources:
            {{TcpListener("web", "10.96.0.40", 80, Rds("web-routes"))}}
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: web-routes
              virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: web } } ] } ]
            {{Cluster("web", "10.244.0.9:80")}}
            """);

        file.Resource("listener web").AssertOutcome(ResourceOutcome.Applied);
        Assert.DoesNotContain("waiting", file.Resource("listener web").Reason);
    }

    [Fact]
    public void MultiDocumentCiliumEnvoyConfig_ListenerAppliedWithItsSplit_CiliumFieldsNotUsed()
    {
        var file = Check("cilium-envoy-config.yaml");

        Assert.Equal((FileStatus.Checked, "multi-document", true), (file.Status, file.Shape, file.WholeFileLoads));
        var listener = file.Resource("listener reviews-listener");
        listener.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains("default/reviews-v1=90, default/reviews-v2=10", listener.Reason);
        file.Resource("route configuration reviews-routes").AssertOutcome(ResourceOutcome.Applied);
        file.Resource("cluster load assignment default/reviews-v2").AssertOutcome(ResourceOutcome.Applied);
        var services = file.Resource("kubernetes field spec.services");
        services.AssertOutcome(ResourceOutcome.NotUsed);
        Assert.Contains("Cilium redirects", services.Reason);
        file.Resource("kubernetes field spec.backendServices").AssertOutcome(ResourceOutcome.NotUsed);
    }

    [Fact]
    public void CiliumClusterwideEnvoyConfig_TcpProxyApplied()
    {
        var file = Check("cilium-clusterwide.yaml");

        Assert.Equal("cilium clusterwide envoy config", file.Shape);
        Assert.Contains("10.96.0.60:5432 → cluster 'postgres'", file.Resource("listener tcp-proxy-listener").Reason);
        Assert.Contains("10.244.1.15:5432 50%", file.Resource("cluster postgres").Reason);
        file.Resource("kubernetes field spec.nodeSelector").AssertOutcome(ResourceOutcome.NotUsed);
    }

    [Fact]
    public void KubernetesDeployment_IsNotEnvoyXds_NamingKindAndLine()
    {
        var file = Checked("apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: reviews }\n", "deploy.yaml");

        Assert.Equal(FileStatus.NotEnvoyXds, file.Status);
        Assert.Equal(2, file.Problem!.Line);
        Assert.Contains("not Envoy xDS: deploy.yaml:2:7: a Kubernetes Deployment (apps/v1), not Envoy resources", file.Problem.Message);
    }

    /// <summary>
    /// The conformance rule for the standard shapes: every resource of every file in tests/shapes is
    /// read (none refused as unparseable, none skipped as of an unknown type) and has an outcome.
    /// </summary>
    [Fact]
    public void EveryShapeFile_NoResourceIsLostAsUnknownOrUnparseable()
    {
        var files = Directory.GetFiles(Path.GetDirectoryName(CorpusFiles.ShapeFile("x"))!).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order().ToList();

        Assert.Equal(5, files.Count);
        foreach (var path in files)
        {
            var inventory = Kmesh.Xds.EnvoyConfigFile.Inventory(path, File.ReadAllText(path));
            Assert.All(inventory.Entries, e => Assert.True(e.Error is null && e.Kind != Kmesh.Xds.ConfigEntryKind.UnknownResource, $"{path}: {e.FieldPath} {e.Error?.Message}"));
            var file = new ConfigCheck(OurChain).CheckFile(path);
            Assert.Equal(inventory.Entries.Count, file.Resources.Count);
            Assert.DoesNotContain(file.Resources, r => r.Outcome == ResourceOutcome.Rejected);
            Assert.True(file.WholeFileLoads, path);
        }
    }

    private static string Rds(string name) => $$"""
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: http
                rds: { route_config_name: {{name}}, config_source: { ads: {} } }
                http_filters: [ { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } } ]
        """;
}
