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
