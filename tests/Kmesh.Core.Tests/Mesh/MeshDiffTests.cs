using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Kmesh.Core.Mesh;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds;

namespace Kmesh.Core.Tests.Mesh;

public class MeshDiffTests
{
    private static MeshSnapshot Snapshot(params Listener[] listeners) =>
        SnapshotBuilder.Build(new EnvoyResources(listeners.ToList(), [], [], [], null), "v", new DnsCache(), new StableMeshIds(), []);

    private static Listener Listener(string name, uint port) => new()
    {
        Name = name,
        Address = new() { SocketAddress = new() { Address = "10.96.0.1", PortValue = port } },
    };

    private static MeshSnapshot WithClusters(params Cluster[] clusters) =>
        SnapshotBuilder.Build(new EnvoyResources([], clusters.ToList(), [], [], null), "v", new DnsCache(), new StableMeshIds(), []);

    private static Cluster Static(string name, uint port, Cluster.Types.LbPolicy policy = Cluster.Types.LbPolicy.RoundRobin) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Static,
        LbPolicy = policy,
        LoadAssignment = new ClusterLoadAssignment
        {
            ClusterName = name,
            Endpoints = { new LocalityLbEndpoints { LbEndpoints = { new LbEndpoint { Endpoint = new Endpoint { Address = new() { SocketAddress = new() { Address = "10.0.0.1", PortValue = port } } } } } } },
        },
    };

    [Fact]
    public void Compute_AStaticClusterWhoseInlineEndpointsAloneChanged_IsAnEndpointChange()
    {
        // A bootstrap's one-endpoint edit: the Cluster object is new, but only its load_assignment differs.
        var before = WithClusters(Static("a", 80), Static("b", 80));
        var after = WithClusters(Static("a", 80), Static("b", 81));
        var changes = MeshDiff.Compute(before, after);
        Assert.Empty(changes.Clusters);
        Assert.Equal(["b"], changes.Endpoints);
        Assert.True(changes.OnlyEndpoints);

        // Anything else of the cluster changed too: a cluster change (and an endpoint one).
        var policy = MeshDiff.Compute(before, WithClusters(Static("a", 80), Static("b", 81, Cluster.Types.LbPolicy.Random)));
        Assert.Equal(["b"], policy.Clusters);
        Assert.Equal(["b"], policy.Endpoints);
        // A DNS cluster's load_assignment names hosts to resolve: not treated so.
        var dns = Static("b", 80);
        dns.Type = Cluster.Types.DiscoveryType.StrictDns;
        var dnsAfter = Static("b", 81);
        dnsAfter.Type = Cluster.Types.DiscoveryType.StrictDns;
        Assert.Equal(["b"], MeshDiff.Compute(WithClusters(dns), WithClusters(dnsAfter)).Clusters);
    }

    [Fact]
    public void Compute_ListenerInserted_ListsOnlyThatListener()
    {
        var before = Snapshot(Listener("a", 80), Listener("c", 82));
        var after = Snapshot(Listener("a", 80), Listener("b", 81), Listener("c", 82));

        Assert.Equal(["b"], MeshDiff.Compute(before, after).Listeners);
    }

    [Fact]
    public void Compute_ListenerRemoved_ListsOnlyThatListener()
    {
        var before = Snapshot(Listener("a", 80), Listener("b", 81), Listener("c", 82));
        var after = Snapshot(Listener("a", 80), Listener("c", 82));

        Assert.Equal(["b"], MeshDiff.Compute(before, after).Listeners);
    }

    [Fact]
    public void Compute_ListenersReordered_ListsEveryListener()
    {
        // Which of two listeners on one address wins may go by order: a new order touches them all.
        var before = Snapshot(Listener("a", 80), Listener("b", 81), Listener("c", 82));
        var after = Snapshot(Listener("c", 82), Listener("a", 80), Listener("b", 81));

        Assert.Equal(["a", "b", "c"], MeshDiff.Compute(before, after).Listeners.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compute_SameListeners_ListsNone()
    {
        var before = Snapshot(Listener("a", 80), Listener("b", 81));
        var after = Snapshot(Listener("a", 80), Listener("b", 81));

        Assert.Empty(MeshDiff.Compute(before, after).Listeners);
    }
}
