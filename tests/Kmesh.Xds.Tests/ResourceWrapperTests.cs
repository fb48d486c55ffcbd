using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>
/// <c>resources:</c> lists of <c>envoy.service.discovery.v3.Resource</c> wrappers (delta xDS's
/// form, control planes' golden files), YAML and JSON, bare and packed with an <c>@type</c>.
/// </summary>
public class ResourceWrapperTests
{
    private static string Shape(string name) => Path.Combine(AppContext.BaseDirectory, "shapes", name);

    [Fact]
    public void DeltaGoldenFile_EveryWrappedResourceIsRead_WithItsVersion()
    {
        var r = EnvoyConfigFile.Load(Shape("delta-golden.yaml"));

        const string reviews = "outbound|9080||reviews.default.svc.cluster.local";
        Assert.Equal("2024-06-01T10:00:00Z/17", r.VersionInfo);
        Assert.Equal(reviews, Assert.Single(r.Clusters).Name);
        Assert.Equal(2, Assert.Single(r.Endpoints).Endpoints[0].LbEndpoints.Count);
        Assert.Equal("10.96.0.21_9080", Assert.Single(r.Listeners).Name);
        Assert.Equal("v17-reviews", r.ResourceVersions[(EnvoyTypes.Cluster, reviews)]);
        Assert.Equal("v17-reviews-eds", r.ResourceVersions[(EnvoyTypes.ClusterLoadAssignment, reviews)]);
        Assert.Equal("v17-listener", r.ResourceVersions[(EnvoyTypes.Listener, "10.96.0.21_9080")]);
        // Lines point at the resource itself, inside its wrapper.
        Assert.Equal(10, r.LineOf(EnvoyTypes.Cluster, reviews));
    }

    [Fact]
    public void SotwJson_WrappersPackedAndBare_BothRead()
    {
        var r = EnvoyConfigFile.Load(Shape("sotw-wrapped.json"));

        Assert.Equal("9", r.VersionInfo);
        Assert.Equal(["ratings", "details"], r.Clusters.Select(c => c.Name));
        Assert.Equal("9-ratings", r.ResourceVersions[(EnvoyTypes.Cluster, "ratings")]);
        Assert.Equal("9-details", r.ResourceVersions[(EnvoyTypes.Cluster, "details")]);
    }

    [Fact]
    public void WrapperAndResourceMixed_InOneList()
    {
        var r = EnvoyConfigFile.Parse("mixed.yaml", """
            resources:
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: a
            - name: b
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: b }
            """);

        Assert.Equal(["a", "b"], r.Clusters.Select(c => c.Name));
        Assert.False(r.ResourceVersions.ContainsKey((EnvoyTypes.Cluster, "a")));
        Assert.False(r.ResourceVersions.ContainsKey((EnvoyTypes.Cluster, "b"))); // no version written
    }

    [Fact]
    public void WrapperWithoutName_TakesTheResourcesOwn()
    {
        var r = EnvoyConfigFile.Parse("w.yaml", """
            resources:
            - version: "3"
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: c }
            """);

        Assert.Equal("3", r.ResourceVersions[(EnvoyTypes.Cluster, "c")]);
    }

    [Theory]
    [InlineData("type.googleapis.com/envoy.config.cluster.v3.Cluster", "name: real",
        "the Resource wrapper is named 'other' but the envoy.config.cluster.v3.Cluster it wraps has name 'real'")]
    [InlineData("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "cluster_name: real",
        "the Resource wrapper is named 'other' but the envoy.config.endpoint.v3.ClusterLoadAssignment it wraps has cluster_name 'real'")]
    public void NameMismatch_IsAnErrorNamingBoth_AtTheWrappersName(string type, string own, string reason)
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("w.yaml", $$"""
            resources:
            - name: other
              version: "1"
              resource: { "@type": {{type}}, {{own}} }
            """));

        Assert.Equal((2, "resources[0].name"), (ex.Line, ex.FieldPath));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void NameMismatch_InTheInventory_RefusesThatResourceOnly()
    {
        var inventory = EnvoyConfigFile.Inventory("w.yaml", """
            resources:
            - name: other
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: real }
            - name: fine
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: fine }
            """);

        Assert.Equal(2, inventory.Entries.Count);
        Assert.Equal((ConfigEntryKind.Cluster, "real", "resources[0].resource"), (inventory.Entries[0].Kind, inventory.Entries[0].Name, inventory.Entries[0].FieldPath));
        Assert.Contains("wraps has name 'real'", inventory.Entries[0].Error!.Message);
        Assert.Equal("fine", Assert.Single(inventory.Resources.Clusters).Name);
    }

    [Theory]
    [InlineData("- name: a\n  version: \"1\"\n  resource: { name: a }", 4, "resources[0].resource", "missing \"@type\"")]
    [InlineData("- name: a\n  ttl_x: 1s\n  resource: { \"@type\": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: a }", 3, "resources[0].ttl_x", "unknown field 'ttl_x' in envoy.service.discovery.v3.Resource")]
    [InlineData("- \"@type\": type.googleapis.com/envoy.service.discovery.v3.Resource\n  name: a", 2, "resources[0]", "a Resource wrapper without its resource")]
    [InlineData("- name: [a]\n  resource: { \"@type\": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: a }", 2, "resources[0].name", "expected a string")]
    public void BadWrapper_IsRefusedAtItsPlace(string items, int line, string field, string reason)
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("w.yaml", "resources:\n" + items));

        Assert.Equal((line, field), (ex.Line, ex.FieldPath));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void BareListOfWrappers_IsRead()
    {
        var r = EnvoyConfigFile.Parse("bare.json", """
            [ { "name": "x", "version": "1", "resource": { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "x" } } ]
            """);

        Assert.Equal("x", Assert.Single(r.Clusters).Name);
    }
}
