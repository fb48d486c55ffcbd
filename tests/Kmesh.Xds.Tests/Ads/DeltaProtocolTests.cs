using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Ads;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>The incremental client against a scripted server: wildcard subscribe, removals, NACK, reconnect.</summary>
public sealed class DeltaProtocolTests
{
    private static DeltaDiscoveryResponse Response(string type, string nonce, IEnumerable<string> removed, params (string Version, IMessage Message)[] resources)
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = type, Nonce = nonce, SystemVersionInfo = nonce, RemovedResources = { removed } };
        foreach (var (version, message) in resources)
            response.Resources.Add(new Resource { Name = ResourceRef.Of(message)!.Value.Name, Version = version, Resource_ = Pack(message) });
        return response;
    }

    [Fact]
    public async Task RemovedResources_AreRemoved_AndAReconnectSendsInitialResourceVersions()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        var cds = await ads.Server.NextDeltaAsync();
        Assert.Equal((EnvoyTypes.Cluster, "*"), (cds.TypeUrl, Assert.Single(cds.ResourceNamesSubscribe)));
        Assert.Empty(cds.InitialResourceVersions);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d1", [], ("va", Static("a")), ("vb", Static("b"))));
        Assert.Equal(2, (await ads.Sink.NextAsync()).Resources.Clusters.Count);
        var ack = await ads.Server.NextDeltaAsync();
        Assert.Equal(("d1", null), (ack.ResponseNonce, ack.ErrorDetail));
        var lds = await ads.Server.NextDeltaAsync();
        Assert.Equal((EnvoyTypes.Listener, "*"), (lds.TypeUrl, Assert.Single(lds.ResourceNamesSubscribe)));

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d2", ["b"]));
        Assert.Equal("a", Assert.Single((await ads.Sink.NextAsync()).Resources.Clusters).Name);
        await ads.Server.NextDeltaAsync();

        await ads.Server.KillStreamsAsync();
        var again = await ads.Server.NextDeltaAsync();
        Assert.Equal(EnvoyTypes.Cluster, again.TypeUrl);
        Assert.Equal("va", Assert.Single(again.InitialResourceVersions).Value);
    }

    [Fact]
    public async Task NameGivenTwice_IsNacked()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        await ads.Server.NextDeltaAsync();

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d1", [], ("1", Static("a")), ("2", Static("a"))));
        var nack = await ads.Server.NextDeltaAsync();

        Assert.Equal("d1", nack.ResponseNonce);
        Assert.Contains("cluster a: name: named twice in one response", nack.ErrorDetail.Message);
        Assert.False(ads.Sink.TryNext(out _));
    }

    [Fact]
    public async Task EdsNamesFollowTheClusters_SubscribeAndUnsubscribe()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        await ads.Server.NextDeltaAsync();
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d1", [], ("1", Eds("x"))));
        await ads.Sink.NextAsync();
        await ads.Server.NextDeltaAsync(); // ACK
        var eds = await ads.Server.NextDeltaAsync();
        Assert.Equal((EnvoyTypes.ClusterLoadAssignment, "x"), (eds.TypeUrl, Assert.Single(eds.ResourceNamesSubscribe)));
        await ads.Server.NextDeltaAsync(); // LDS

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d2", ["x"], ("1", Eds("y"))));
        await ads.Sink.NextAsync();
        await ads.Server.NextDeltaAsync(); // ACK
        var change = await ads.Server.NextDeltaAsync();

        Assert.Equal("y", Assert.Single(change.ResourceNamesSubscribe));
        Assert.Equal("x", Assert.Single(change.ResourceNamesUnsubscribe));
    }

    [Fact]
    public async Task AnUpdateOfAHeldAssignment_ChangesOnlyItsEndpoints_AndKeepsTheRest()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        await ads.Server.NextDeltaAsync(); // CDS
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "d1", [], ("1", Eds("x")), ("1", Eds("y"))));
        await ads.Sink.NextAsync();
        await ads.Server.NextDeltaAsync(); // ACK
        await ads.Server.NextDeltaAsync(); // EDS x, y
        await ads.Server.NextDeltaAsync(); // LDS
        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "d2", [], ("1", Tcp("l", "x"))));
        await ads.Sink.NextAsync();
        await ads.Server.NextDeltaAsync(); // ACK
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "d3", [], ("1", Cla("x", "10.0.0.1")), ("1", Cla("y", "10.0.1.1"))));
        var first = await ads.Sink.NextAsync();
        Assert.True(first.Warm);
        await ads.Server.NextDeltaAsync(); // ACK

        // One held assignment changes: the update carries it, the rest as it was.
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "d4", [], ("2", Cla("x", "10.0.0.2"))));
        var second = await ads.Sink.NextAsync();
        var ack = await ads.Server.NextDeltaAsync();
        Assert.Equal(("d4", null), (ack.ResponseNonce, ack.ErrorDetail));
        Assert.True(second.Warm);
        Assert.Equal(first.Resources.Clusters, second.Resources.Clusters);
        Assert.Equal(first.Resources.Listeners, second.Resources.Listeners);
        var endpoints = second.Resources.Endpoints.ToDictionary(e => e.ClusterName);
        Assert.Equal("10.0.0.2", endpoints["x"].Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
        Assert.Same(first.Resources.Endpoints.Single(e => e.ClusterName == "y"), endpoints["y"]);
        Assert.Contains("eds=d4", second.Resources.VersionInfo);
        Assert.Equal(ResourceRef.Cluster("x"), Assert.Single(second.Scrutinized!));

        // A refused update leaves the state as it was: the next one builds on the accepted assignment.
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "d5", [], ("3", Cla("x", "10.0.0.3")), ("3", Cla("x", "10.0.0.4"))));
        var nack = await ads.Server.NextDeltaAsync();
        Assert.Equal("d5", nack.ResponseNonce);
        Assert.NotNull(nack.ErrorDetail);
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "d6", [], ("4", Cla("y", "10.0.1.2"))));
        var third = await ads.Sink.NextAsync();
        endpoints = third.Resources.Endpoints.ToDictionary(e => e.ClusterName);
        Assert.Equal("10.0.0.2", endpoints["x"].Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
        Assert.Equal("10.0.1.2", endpoints["y"].Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
        Assert.Contains("eds=d6", third.Resources.VersionInfo);
    }
}
