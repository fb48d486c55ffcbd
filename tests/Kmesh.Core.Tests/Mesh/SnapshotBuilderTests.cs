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
        Assert.Equal("cluster ratings", warning.Resource);
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
}
