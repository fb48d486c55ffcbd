using Kmesh.Xds.Validation;

namespace Kmesh.Xds.Tests;

/// <summary>
/// A config dump's copies (inline routes listed again under static_route_configs, clusters'
/// endpoints listed again as load assignments) are told from its resources: no duplicate-name or
/// empty-name refusal, no rule broken by Envoy's filled-in defaults, each copy naming its original.
/// </summary>
public class DumpCopyTests
{
    private static readonly string File = Path.Combine(AppContext.BaseDirectory, "shapes", "config-dump-copies.json");

    [Fact]
    public void Load_CopiesAreNotResources_TheRealOnesAre()
    {
        var r = EnvoyConfigFile.Load(File);

        Assert.Equal(["", "web_80", "api_80", "10.96.0.32_80"], r.Listeners.Select(l => l.Name));
        Assert.Equal(["web", "admin", "api"], r.Clusters.Select(c => c.Name));
        Assert.Equal("api", Assert.Single(r.Endpoints).ClusterName); // the EDS cluster's: the only place its endpoints are
        Assert.Empty(r.Routes);
        Assert.Empty(ResourceValidator.Validate(r)); // the copy's load_balancing_weight: 0 is not a resource's
    }

    [Fact]
    public void Inventory_EachCopyNamesWhatCarriesIt()
    {
        var copies = EnvoyConfigFile.Inventory(File, System.IO.File.ReadAllText(File)).Entries.Where(e => e.IsCopy).ToList();

        (string Path, string Name, string Reason)[] expected =
        [
            ("configs[2].static_endpoint_configs[0].endpoint_config", "web", "copy of the endpoints of STATIC cluster web, which carries them in its own load_assignment"),
            ("configs[2].dynamic_endpoint_configs[0].endpoint_config", "", "copy of the endpoints of STATIC cluster admin, which carries them in its own load_assignment"),
            // Two copies named local_route: each is matched to its own listener by content.
            ("configs[4].static_route_configs[0].route_config", "local_route", "copy of the route configuration inline in listener api_80 "),
            ("configs[4].static_route_configs[1].route_config", "local_route", "copy of the route configuration inline in listener web_80 "),
            ("configs[4].static_route_configs[2].route_config", "", "copy of the route configuration inline in listener (unnamed, configs[3].static_listeners[0].listener) "),
        ];
        Assert.Equal(expected.Select(e => (e.Path, e.Name)), copies.Select(c => (c.FieldPath, c.Name)));
        foreach (var (copy, e) in copies.Zip(expected))
            Assert.StartsWith(e.Reason, copy.SkipReason);
        Assert.EndsWith("unnamed in the dump", copies[1].SkipReason);
    }

    [Fact]
    public void RealDuplicates_AreStillRefused()
    {
        // Two dynamic route configurations of one name are two resources claiming a name, not copies.
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("dump.json", """
            { "configs": [ { "@type": "type.googleapis.com/envoy.admin.v3.RoutesConfigDump", "dynamic_route_configs": [
              { "route_config": { "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "name": "r" } },
              { "route_config": { "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "name": "r" } } ] } ] }
            """));

        Assert.Contains("duplicate route configuration name 'r': defined at line 2 and again at line 3", ex.Message);
    }

    [Fact]
    public void EndpointsOfAnEdsCluster_StayAResource_EvenWhenNamedLikeNoOther()
    {
        var r = EnvoyConfigFile.Parse("dump.json", """
            { "configs": [ { "@type": "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump", "static_endpoint_configs": [
              { "endpoint_config": { "@type": "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "cluster_name": "orphan" } } ] } ] }
            """);

        Assert.Equal("orphan", Assert.Single(r.Endpoints).ClusterName);
    }
}
