using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// The typed resource reference: it reads as operators have always seen resources named
/// (<c>listener reviews</c>), every kind's table entry agrees with the Envoy message it stands for,
/// and a change set converts to references and back without losing or confusing a kind.
/// </summary>
public sealed class ResourceRefTests
{
    public static TheoryData<ResourceRef, string> Printed => new()
    {
        { ResourceRef.Listener("0.0.0.0_9080"), "listener 0.0.0.0_9080" },
        { ResourceRef.Cluster("outbound|9080||reviews.default.svc.cluster.local"), "cluster outbound|9080||reviews.default.svc.cluster.local" },
        { ResourceRef.LoadAssignment("reviews"), "cluster load assignment reviews" },
        { ResourceRef.Routes("9080"), "route configuration 9080" },
        { ResourceRef.Secret("default"), "secret default" },
        // A name may hold spaces and look like another kind's label: the kind is read first, longest label first.
        { ResourceRef.Cluster("load assignment x"), "cluster load assignment x" },
    };

    [Theory]
    [MemberData(nameof(Printed))]
    public void Prints_AsOperatorsReadIt(ResourceRef resource, string text) => Assert.Equal(text, resource.ToString());

    [Fact]
    public void EveryKind_RoundTripsThroughItsText_AndItsTypeUrl()
    {
        foreach (var kind in ResourceKinds.All)
        {
            var resource = new ResourceRef(kind, "name with spaces|and|bars");
            Assert.True(ResourceRef.TryParse(resource.ToString(), out var parsed));
            // "cluster load assignment NAME" also reads as the cluster "load assignment NAME": the longest label wins.
            Assert.Equal(resource, parsed);
            Assert.Equal(kind, ResourceKinds.FromTypeUrl(resource.TypeUrl));
        }
        Assert.False(ResourceRef.TryParse("bootstrap field admin", out _));
        Assert.False(ResourceRef.TryParse("listener", out _));
        Assert.Null(ResourceKinds.FromTypeUrl("type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration"));
    }

    [Fact]
    public void ReadKinds_HaveTheParserOfTheMessageTheyName()
    {
        var messages = new IMessage[]
        {
            new Listener { Name = "l" }, new Cluster { Name = "c" },
            new ClusterLoadAssignment { ClusterName = "e" }, new RouteConfiguration { Name = "r" },
        };
        foreach (var message in messages)
        {
            var resource = ResourceRef.Of(message)!.Value;
            Assert.Equal("type.googleapis.com/" + message.Descriptor.FullName, resource.TypeUrl);
            Assert.Equal(message, ResourceKinds.Parser(resource.Kind)!.ParseFrom(message.ToByteArray()));
        }
        Assert.Equal(["lds", "cds", "eds", "rds", "sds"], ResourceKinds.All.Select(ResourceKinds.Short));
        Assert.Null(ResourceKinds.Parser(ResourceKind.Secret));
        Assert.Null(ResourceRef.Of(new global::Envoy.Config.Core.V3.Address()));
    }

    [Fact]
    public void Equality_IsByKindAndExactName()
    {
        Assert.Equal(ResourceRef.Cluster("a"), new ResourceRef(ResourceKind.Cluster, "a"));
        Assert.NotEqual(ResourceRef.Cluster("a"), ResourceRef.LoadAssignment("a"));
        Assert.NotEqual(ResourceRef.Cluster("a"), ResourceRef.Cluster("A"));
        var sorted = new[] { ResourceRef.Routes("a"), ResourceRef.Cluster("b"), ResourceRef.Listener("z"), ResourceRef.Cluster("a") }.Order().ToArray();
        Assert.Equal([ResourceRef.Listener("z"), ResourceRef.Cluster("a"), ResourceRef.Cluster("b"), ResourceRef.Routes("a")], sorted);
    }

    [Fact]
    public void ChangeSet_FromReferences_ListsEachByItsKind()
    {
        var changed = new[]
        {
            ResourceRef.Listener("l"), ResourceRef.Cluster("c"), ResourceRef.LoadAssignment("c"),
            ResourceRef.Routes("r"), ResourceRef.Secret("s"),
        };
        var changes = MeshChanges.Of(changed);

        Assert.Equal(["l"], changes.Listeners);
        Assert.Equal(["c"], changes.Clusters);
        Assert.Equal(["c"], changes.Endpoints);
        Assert.Equal(["r"], changes.Routes);
        Assert.Equal(4, changes.Count); // secrets are not part of a snapshot
        Assert.Equal(changed[..4].Order(), changes.Resources.Order());
        Assert.All(changed[..4], r => Assert.True(changes.Contains(r)));
        Assert.False(changes.Contains(ResourceRef.Secret("s")));
        Assert.False(changes.Contains(ResourceRef.Listener("c")));
    }
}
