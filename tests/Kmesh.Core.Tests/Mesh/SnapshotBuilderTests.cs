using System.Net;
using System.Net.Sockets;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using SocketAddress = Envoy.Config.Core.V3.SocketAddress;
using Envoy.Config.Endpoint.V3;
using Kmesh.Core.Mesh;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Tests.Mesh;

public class SnapshotBuilderTests
{
    private static ClusterLoadAssignment Assignment(string name, params string[] hosts)
    {
        var locality = new LocalityLbEndpoints();
        foreach (var host in hosts)
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = host, PortValue = 8080 } } },
            });
        }
        var assignment = new ClusterLoadAssignment { ClusterName = name };
        assignment.Endpoints.Add(locality);
        return assignment;
    }

    private static EnvoyResources Resources(IEnumerable<Cluster> clusters, IEnumerable<ClusterLoadAssignment>? endpoints = null) =>
        new([], clusters.ToList(), (endpoints ?? []).ToList(), [], null);

    private static IEnumerable<string> Hosts(MeshSnapshot snapshot, string cluster) =>
        snapshot.Endpoints[cluster].Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint.Address.SocketAddress.Address);

    [Fact]
    public void Build_StaticCluster_UsesItsLoadAssignment()
    {
        var cluster = new Cluster { Name = "reviews", Type = Cluster.Types.DiscoveryType.Static, LoadAssignment = Assignment("reviews", "127.0.1.1", "127.0.1.2") };
        var diagnostics = new List<TranslationDiagnostic>();

        var snapshot = SnapshotBuilder.Build(Resources([cluster]), "v1", new DnsCache(), new StableMeshIds(), diagnostics);

        Assert.Equal(["127.0.1.1", "127.0.1.2"], Hosts(snapshot, "reviews"));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Build_EdsCluster_FindsItsAssignmentByServiceName()
    {
        var cluster = new Cluster
        {
            Name = "outbound|9080||reviews",
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = "reviews.default" },
        };

        var snapshot = SnapshotBuilder.Build(Resources([cluster], [Assignment("reviews.default", "10.1.0.1")]), "v1", new DnsCache(), new StableMeshIds(), []);

        Assert.Equal(["10.1.0.1"], Hosts(snapshot, "outbound|9080||reviews"));
    }

    [Fact]
    public void Build_EdsClusterWithoutAssignment_WarnsAndHasNoEndpoints()
    {
        var cluster = new Cluster { Name = "ratings", Type = Cluster.Types.DiscoveryType.Eds };
        var diagnostics = new List<TranslationDiagnostic>();

        var snapshot = SnapshotBuilder.Build(Resources([cluster]), "v1", new DnsCache(), new StableMeshIds(), diagnostics);

        Assert.False(snapshot.Endpoints.ContainsKey("ratings"));
        var warning = Assert.Single(diagnostics);
        Assert.Equal(ResourceRef.Cluster("ratings"), warning.Resource);
        Assert.Equal("eds_cluster_config", warning.Field);
    }

    [Fact]
    public async Task Build_StrictDnsCluster_UsesTheAddressesTheDaemonResolved()
    {
        var cluster = new Cluster
        {
            Name = "web",
            Type = Cluster.Types.DiscoveryType.StrictDns,
            DnsLookupFamily = Cluster.Types.DnsLookupFamily.V4Only,
            LoadAssignment = Assignment("web", "localhost"),
        };
        var resources = Resources([cluster]);
        var dns = new DnsCache();
        var (changed, failures) = await dns.RefreshAsync(SnapshotBuilder.DnsNames(resources), CancellationToken.None);

        var snapshot = SnapshotBuilder.Build(resources, "v1", dns, new StableMeshIds(), []);

        Assert.True(changed);
        Assert.Empty(failures);
        Assert.Contains("127.0.0.1", Hosts(snapshot, "web"));
        Assert.All(snapshot.Endpoints["web"].Endpoints.SelectMany(l => l.LbEndpoints), e => Assert.Equal("localhost", e.Endpoint.Hostname));
    }

    [Fact]
    public async Task Build_LogicalDnsCluster_ConnectsToOneAddress()
    {
        var cluster = new Cluster { Name = "api", Type = Cluster.Types.DiscoveryType.LogicalDns, DnsLookupFamily = Cluster.Types.DnsLookupFamily.All, LoadAssignment = Assignment("api", "api.test") };
        var dns = new DnsCache((_, _) => Task.FromResult(new[] { IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2") }));
        await dns.RefreshAsync(["api.test"], CancellationToken.None);

        var snapshot = SnapshotBuilder.Build(Resources([cluster]), "v1", dns, new StableMeshIds(), []);

        Assert.Single(Hosts(snapshot, "api"));
    }

    [Fact]
    public async Task DnsCache_FailedRefresh_KeepsTheLastAddresses()
    {
        var fail = false;
        var dns = new DnsCache((_, _) => fail
            ? throw new SocketException((int)SocketError.HostNotFound)
            : Task.FromResult(new[] { IPAddress.Parse("192.0.2.7") }));
        await dns.RefreshAsync(["svc.test"], CancellationToken.None);
        fail = true;

        var (changed, failures) = await dns.RefreshAsync(["svc.test"], CancellationToken.None);

        Assert.False(changed);
        Assert.Single(failures);
        Assert.Equal([IPAddress.Parse("192.0.2.7")], dns.Lookup("svc.test"));
    }

    [Fact]
    public void Build_OriginalDstCluster_IsReportedUnsupported()
    {
        var cluster = new Cluster { Name = "passthrough", Type = Cluster.Types.DiscoveryType.OriginalDst };
        var diagnostics = new List<TranslationDiagnostic>();

        SnapshotBuilder.Build(Resources([cluster]), "v1", new DnsCache(), new StableMeshIds(), diagnostics);

        Assert.Contains(diagnostics, d => d.Field == "type" && d.Message.Contains("OriginalDst"));
    }

    private static EnvoyResources Mesh(int services, Func<int, ClusterLoadAssignment>? assignment = null)
    {
        var listeners = new List<global::Envoy.Config.Listener.V3.Listener>();
        var clusters = new List<Cluster>();
        var assignments = new List<ClusterLoadAssignment>();
        var routes = new List<global::Envoy.Config.Route.V3.RouteConfiguration>();
        for (var i = 0; i < services; i++)
        {
            listeners.Add(new global::Envoy.Config.Listener.V3.Listener { Name = $"l{i}", Address = new Address { SocketAddress = new SocketAddress { Address = $"10.96.0.{i}", PortValue = 80 } } });
            clusters.Add(new Cluster
            {
                Name = $"outbound|80||s{i}",
                Type = Cluster.Types.DiscoveryType.Eds,
                EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = $"s{i}" },
            });
            // A second cluster of the same service (another port): one assignment resolves both.
            if (i % 5 == 0)
                clusters.Add(new Cluster { Name = $"outbound|81||s{i}", Type = Cluster.Types.DiscoveryType.Eds, EdsClusterConfig = new Cluster.Types.EdsClusterConfig { ServiceName = $"s{i}" } });
            assignments.Add(assignment?.Invoke(i) ?? Assignment($"s{i}", $"10.1.0.{i}"));
            routes.Add(new global::Envoy.Config.Route.V3.RouteConfiguration { Name = $"r{i}" });
        }
        return new EnvoyResources(listeners, clusters, assignments, routes, null);
    }

    [Fact]
    public void Build_FromThePreviousSnapshot_EqualsABuildFromScratch_AndSharesWhatDidNotChange()
    {
        var ids = new StableMeshIds();
        var dns = new DnsCache();
        var before = Mesh(40);
        var previous = SnapshotBuilder.Build(before, "1", dns, ids, []);
        // Two services' endpoints move and one route changes, as a delta ADS client hands them over:
        // new lists, the same objects for everything else, the replaced ones in place.
        var endpoints = before.Endpoints.ToList();
        endpoints[5] = Assignment("s5", "10.2.0.1", "10.2.0.2");
        endpoints[17] = Assignment("s17");
        var routes = before.Routes.ToList();
        routes[3] = new global::Envoy.Config.Route.V3.RouteConfiguration { Name = "r3", ValidateClusters = true };
        var after = before with { Endpoints = endpoints, Routes = routes };

        var diagnostics = new List<TranslationDiagnostic>();
        var derived = SnapshotBuilder.Build(after, "2", dns, ids, diagnostics, previous);
        var scratch = SnapshotBuilder.Build(after, "2", dns, ids, []);

        Assert.Empty(diagnostics);
        Assert.Equal("2", derived.Version);
        SnapshotAssert.Same(scratch, derived);
        Assert.Same(previous.Clusters, derived.Clusters);
        Assert.Same(previous.Listeners, derived.Listeners);
        Assert.Equal(["10.2.0.1", "10.2.0.2"], Hosts(derived, "outbound|81||s5"));
        // The previous snapshot is untouched.
        Assert.Equal(["10.1.0.5"], Hosts(previous, "outbound|80||s5"));
        // The change set of a derived snapshot is the one a full comparison finds.
        var fromDerived = MeshDiff.Compute(previous, derived);
        var fromScratch = MeshDiff.Compute(previous, scratch);
        Assert.Equal(["outbound|80||s17", "outbound|80||s5", "outbound|81||s5"], fromDerived.Endpoints.Order(StringComparer.Ordinal));
        Assert.Equal(fromScratch.Endpoints.Order(StringComparer.Ordinal), fromDerived.Endpoints.Order(StringComparer.Ordinal));
        Assert.Equal(["r3"], fromDerived.Routes);
        Assert.Empty(fromDerived.Listeners);
        Assert.Empty(fromDerived.Clusters);

        // And again from the derived one (a chain of updates).
        var next = after with { Endpoints = after.Endpoints.Select((a, i) => i == 5 ? Assignment("s5", "10.3.0.1") : a).ToList() };
        var derivedAgain = SnapshotBuilder.Build(next, "3", dns, ids, [], derived);
        SnapshotAssert.Same(SnapshotBuilder.Build(next, "3", dns, ids, []), derivedAgain);
        Assert.Same(previous.Clusters, derivedAgain.Clusters);
        Assert.Equal(["outbound|80||s5", "outbound|81||s5"], MeshDiff.Compute(derived, derivedAgain).Endpoints.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_FromThePreviousSnapshot_WhenAClusterChanged_BuildsFromScratch()
    {
        var ids = new StableMeshIds();
        var before = Mesh(10);
        var previous = SnapshotBuilder.Build(before, "1", new DnsCache(), ids, []);
        var clusters = before.Clusters.ToList();
        clusters[0] = new Cluster { Name = clusters[0].Name, Type = Cluster.Types.DiscoveryType.Static, LoadAssignment = Assignment(clusters[0].Name, "10.9.0.1") };
        var after = before with { Clusters = clusters };

        var rebuilt = SnapshotBuilder.Build(after, "2", new DnsCache(), ids, [], previous);

        Assert.NotSame(previous.Clusters, rebuilt.Clusters);
        SnapshotAssert.Same(SnapshotBuilder.Build(after, "2", new DnsCache(), ids, []), rebuilt);
        Assert.Equal(["10.9.0.1"], Hosts(rebuilt, "outbound|80||s0"));
    }

    [Fact]
    public void Build_FromAPreviousSnapshotWithFindings_BuildsFromScratch_AndReportsThemAgain()
    {
        var ids = new StableMeshIds();
        var before = Mesh(10);
        before = before with { Clusters = [.. before.Clusters, new Cluster { Name = "orphan", Type = Cluster.Types.DiscoveryType.Eds }] };
        var previous = SnapshotBuilder.Build(before, "1", new DnsCache(), ids, []);
        var endpoints = before.Endpoints.ToList();
        endpoints[2] = Assignment("s2", "10.4.0.1");
        var after = before with { Endpoints = endpoints };
        var diagnostics = new List<TranslationDiagnostic>();

        var rebuilt = SnapshotBuilder.Build(after, "2", new DnsCache(), ids, diagnostics, previous);

        Assert.Single(diagnostics, d => d.Resource == ResourceRef.Cluster("orphan"));
        SnapshotAssert.Same(SnapshotBuilder.Build(after, "2", new DnsCache(), ids, []), rebuilt);
    }
}
