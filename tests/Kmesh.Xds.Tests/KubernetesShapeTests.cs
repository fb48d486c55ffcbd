using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>
/// Multi-document YAML (<c>---</c>, as Kubernetes manifests are written) and the Kubernetes custom
/// resources that carry Envoy resources (CiliumEnvoyConfig, CiliumClusterwideEnvoyConfig); any other
/// Kubernetes object is refused naming its kind, its document and its line.
/// </summary>
public class KubernetesShapeTests
{
    private static string Shape(string name) => Path.Combine(AppContext.BaseDirectory, "shapes", name);

    [Fact]
    public void MultiDocument_CiliumEnvoyConfigAndAResourcesList_EveryDocumentRead()
    {
        var inventory = EnvoyConfigFile.Inventory(Shape("cilium-envoy-config.yaml"), File.ReadAllText(Shape("cilium-envoy-config.yaml")));
        var r = inventory.Resources;

        Assert.Equal("multi-document", inventory.Shape);
        Assert.Equal("reviews-listener", Assert.Single(r.Listeners).Name);
        Assert.Equal("reviews-routes", Assert.Single(r.Routes).Name);
        Assert.Equal(["default/reviews-v1", "default/reviews-v2"], r.Clusters.Select(c => c.Name));
        Assert.Equal(["default/reviews-v1", "default/reviews-v2"], r.Endpoints.Select(e => e.ClusterName));
        Assert.Equal("4", r.VersionInfo);
        // Lines are the file's, in whichever document.
        Assert.Equal(17, r.LineOf(EnvoyTypes.Listener, "reviews-listener"));
        Assert.Equal(56, r.LineOf(EnvoyTypes.ClusterLoadAssignment, "default/reviews-v1"));
        Assert.Equal(["spec.resources[0]", "spec.resources[1]", "spec.resources[2]", "spec.resources[3]", "resources[0]", "resources[1]"],
            inventory.Entries.Where(e => e.Resource is not null).Select(e => e.FieldPath));
        // Cilium's traffic steering is accounted for, not read.
        Assert.Equal(["spec.services", "spec.backendServices"],
            inventory.Entries.Where(e => e.Kind == ConfigEntryKind.KubernetesField).Select(e => e.Name));
    }

    [Fact]
    public void CiliumClusterwideEnvoyConfig_IsRead()
    {
        var inventory = EnvoyConfigFile.Inventory(Shape("cilium-clusterwide.yaml"), File.ReadAllText(Shape("cilium-clusterwide.yaml")));

        Assert.Equal("cilium clusterwide envoy config", inventory.Shape);
        Assert.Equal("tcp-proxy-listener", Assert.Single(inventory.Resources.Listeners).Name);
        Assert.Equal(2, Assert.Single(inventory.Resources.Clusters).LoadAssignment.Endpoints[0].LbEndpoints.Count);
        var selector = Assert.Single(inventory.Entries, e => e.Kind == ConfigEntryKind.KubernetesField);
        Assert.Equal(("spec.nodeSelector", 8), (selector.Name, selector.Line));
    }

    [Fact]
    public void ADeploymentManifest_IsRefused_NamingItsKindAndLine()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("deploy.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: reviews }
            spec: { replicas: 2 }
            """));

        Assert.True(ex.NotEnvoyConfig);
        Assert.Equal(2, ex.Line);
        Assert.Contains("a Kubernetes Deployment (apps/v1), not Envoy resources", ex.Message);
    }

    [Fact]
    public void MultiDocument_ADeploymentAmongEnvoyDocuments_IsRefusedWithItsDocumentAndLine()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mixed.yaml", """
            resources:
            - { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: a }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: reviews }
            """));

        Assert.True(ex.NotEnvoyConfig);
        Assert.Equal(5, ex.Line);
        Assert.Contains("document 2 of 2: a Kubernetes Deployment (apps/v1), not Envoy resources", ex.Message);
    }

    [Fact]
    public void MultiDocument_ErrorInTheSecondDocument_NamesItsDocumentLineAndField()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("two.yaml", """
            resources:
            - { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: a }
            ---
            resources:
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: b
              type: EDSS
            """));

        Assert.Equal((7, "resources[0].type"), (ex.Line, ex.FieldPath));
        Assert.StartsWith("two.yaml:7:", ex.Message);
        Assert.Contains("document 2 of 2: ", ex.Message);
    }

    [Fact]
    public void MultiDocument_ANameInTwoDocuments_IsADuplicate()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("two.yaml", """
            resources:
            - { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: a }
            ---
            static_resources:
              clusters:
              - name: a
            """));

        Assert.Contains("duplicate cluster name 'a': defined at line 2 and again at line 6", ex.Message);
    }

    [Fact]
    public void MultiDocument_TheLimitsHoldAcrossDocuments()
    {
        // Aliases are counted over the whole file: each document expands to about 55,000 nodes,
        // within the limit alone, but a bomb split across documents is still one.
        var bomb = string.Join("\n---\n", Enumerable.Range(0, 3).Select(d =>
            $"a{d}: &a{d} [" + string.Join(",", Enumerable.Repeat("x", 100)) + "]\n" +
            $"b{d}: &b{d} [" + string.Join(",", Enumerable.Repeat($"*a{d}", 50)) + "]\n" +
            $"c{d}: [" + string.Join(",", Enumerable.Repeat($"*b{d}", 10)) + "]"));

        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("bomb.yaml", bomb));

        Assert.Contains("aliases expand to more than 100,000 nodes, the limit for config (docs/limits.md)", ex.Message);
        Assert.True(ex.Line > 4, ex.Message); // in a later document, at its line
    }

    [Theory]
    [InlineData("apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: { name: x }\nspec:\n  resources: []\n  listenerz: []", 6, "spec.listenerz", "unknown field 'listenerz' in a CiliumEnvoyConfig's spec")]
    [InlineData("apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: { name: x }", 1, "spec", "a CiliumEnvoyConfig needs a spec with its resources")]
    [InlineData("apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nspec:\n  resources:\n  - name: x", 5, "spec.resources[0]", "missing \"@type\"")]
    public void BadCiliumEnvoyConfig_IsRefusedAtItsPlace(string yaml, int line, string field, string reason)
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("cec.yaml", yaml));

        Assert.Equal((line, field), (ex.Line, ex.FieldPath));
        Assert.Contains(reason, ex.Message);
        Assert.False(ex.NotEnvoyConfig);
    }
}
