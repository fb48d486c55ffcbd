using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>The state-of-the-world client against a scripted server: requests, ACK/NACK, warming, removal, reconnect.</summary>
public sealed class SotwProtocolTests
{
    private static DiscoveryResponse Response(string type, string version, string nonce, params IMessage[] resources)
    {
        var response = new DiscoveryResponse { TypeUrl = type, VersionInfo = version, Nonce = nonce };
        response.Resources.AddRange(resources.Select(Pack));
        return response;
    }

    private static async Task AcceptStaticClusterAsync(AdsHarness ads, string name = "a")
    {
        await ads.Server.NextAsync(); // CDS subscription
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "1", "n1", Static(name)));
        await ads.Sink.NextAsync();
        var ack = await ads.Server.NextAsync();
        Assert.Equal(("1", "n1"), (ack.VersionInfo, ack.ResponseNonce));
        Assert.Equal(EnvoyTypes.Listener, (await ads.Server.NextAsync()).TypeUrl);
    }

    [Fact]
    public async Task SubscribesCdsThenEdsThenLds_AcksVersionAndNonce_AndWarmsClustersAndListeners()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);

        var cds = await ads.Server.NextAsync();
        Assert.Equal(EnvoyTypes.Cluster, cds.TypeUrl);
        Assert.Empty(cds.ResourceNames);
        Assert.Equal(("", ""), (cds.VersionInfo, cds.ResponseNonce));
        Assert.StartsWith("sidecar~", cds.Node.Id);
        Assert.EndsWith(".shop~shop.svc.cluster.local", cds.Node.Id);
        Assert.Equal("shop", cds.Node.Metadata.Fields["NAMESPACE"].StringValue);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "c1", "n1", Eds("reviews")));
        var warming = await ads.Sink.NextAsync();
        Assert.Empty(warming.Resources.Clusters); // no ClusterLoadAssignment yet
        Assert.False(warming.Warm);
        var ack = await ads.Server.NextAsync();
        Assert.Equal((EnvoyTypes.Cluster, "c1", "n1"), (ack.TypeUrl, ack.VersionInfo, ack.ResponseNonce));
        Assert.Null(ack.ErrorDetail);
        var eds = await ads.Server.NextAsync();
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, eds.TypeUrl);
        Assert.Equal(["reviews"], eds.ResourceNames);
        Assert.Equal(EnvoyTypes.Listener, (await ads.Server.NextAsync()).TypeUrl);

        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "e1", "n2", Cla("reviews")));
        var withEndpoints = await ads.Sink.NextAsync();
        Assert.Equal("reviews", Assert.Single(withEndpoints.Resources.Clusters).Name);
        Assert.Single(withEndpoints.Resources.Endpoints);
        var edsAck = await ads.Server.NextAsync();
        Assert.Equal(("e1", "n2"), (edsAck.VersionInfo, edsAck.ResponseNonce));

        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "l1", "n3", Tcp("reviews", "reviews")));
        var complete = await ads.Sink.NextAsync();
        Assert.Single(complete.Resources.Listeners);
        Assert.True(complete.Warm);
        Assert.Equal([ResourceRef.Listener("reviews")], complete.Scrutinized!);
        Assert.Equal("cds=c1 eds=e1 lds=l1 rds=-", complete.Version);
    }

    [Fact]
    public async Task AnEdsPushOfTheWholeSet_ReusesTheMessagesWhoseBytesWereAccepted_AndParsesOnlyTheChangedOne()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await ads.Server.NextAsync(); // CDS subscription
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "c1", "n1", Eds("a"), Eds("b")));
        await ads.Sink.NextAsync();
        await ads.Server.NextAsync(); // ACK
        await ads.Server.NextAsync(); // EDS subscription
        await ads.Server.NextAsync(); // LDS subscription
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "e1", "n2", Cla("a"), Cla("b")));
        var first = await ads.Sink.NextAsync();
        await ads.Server.NextAsync(); // ACK

        // SotW carries every assignment again; only b's bytes changed.
        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "e2", "n3", Cla("a"), Cla("b", "127.0.0.2")));
        var second = await ads.Sink.NextAsync();
        var ack = await ads.Server.NextAsync();
        Assert.Equal(("e2", "n3"), (ack.VersionInfo, ack.ResponseNonce));

        Assert.Same(first.Resources.Endpoints.Single(e => e.ClusterName == "a"), second.Resources.Endpoints.Single(e => e.ClusterName == "a"));
        Assert.NotSame(first.Resources.Endpoints.Single(e => e.ClusterName == "b"), second.Resources.Endpoints.Single(e => e.ClusterName == "b"));
        Assert.Equal("127.0.0.2", second.Resources.Endpoints.Single(e => e.ClusterName == "b").Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
    }

    [Fact]
    public async Task BytesOnceRefused_AreParsedAndJudgedAgain_NotTakenFromTheRefusedResponse()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptStaticClusterAsync(ads, "a");
        ads.Sink.Judge = u => u.Scrutinized?.Contains(ResourceRef.Cluster("b")) == true
            ? ConfigVerdict.Reject([new ResourceRejection("cluster b", "", "not now")])
            : ConfigVerdict.Accept;
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "2", "n2", Static("a"), Static("b")));
        var refused = await ads.Sink.NextAsync();
        Assert.NotNull((await ads.Server.NextAsync()).ErrorDetail);

        ads.Sink.Judge = _ => ConfigVerdict.Accept;
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "3", "n3", Static("a"), Static("b")));
        var accepted = await ads.Sink.NextAsync();
        Assert.Null((await ads.Server.NextAsync()).ErrorDetail);

        // a was accepted before: the same message. b's bytes were refused: parsed again, and judged again (scrutinized).
        Assert.Same(refused.Resources.Clusters.Single(c => c.Name == "a"), accepted.Resources.Clusters.Single(c => c.Name == "a"));
        Assert.NotSame(refused.Resources.Clusters.Single(c => c.Name == "b"), accepted.Resources.Clusters.Single(c => c.Name == "b"));
        Assert.Contains(ResourceRef.Cluster("b"), accepted.Scrutinized!);
    }

    [Fact]
    public async Task NameGivenTwice_IsNacked_WithTheLastGoodVersion_AndNothingIsOffered()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptStaticClusterAsync(ads);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "2", "n2", Static("b"), Static("b")));
        var nack = await ads.Server.NextAsync();

        Assert.Equal(("1", "n2"), (nack.VersionInfo, nack.ResponseNonce));
        Assert.Contains("cluster b: name: named twice in one response", nack.ErrorDetail.Message);
        Assert.Contains("still serving version 1", nack.ErrorDetail.Message);
        Assert.False(ads.Sink.TryNext(out _));
    }

    [Fact]
    public async Task BytesThatDoNotParse_AndAResourceOfAnotherType_AreNacked()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptStaticClusterAsync(ads);
        var response = new DiscoveryResponse { TypeUrl = EnvoyTypes.Cluster, VersionInfo = "2", Nonce = "n2" };
        response.Resources.Add(new Any { TypeUrl = EnvoyTypes.Cluster, Value = ByteString.CopyFrom(0xff, 0xff, 0xff) });
        response.Resources.Add(Pack(Tcp("l", "a")));

        await ads.Server.SendAsync(response);
        var nack = await ads.Server.NextAsync();

        Assert.Contains("resources[0]: does not parse as " + EnvoyTypes.Cluster, nack.ErrorDetail.Message);
        Assert.Contains("resources[1]: @type: is " + EnvoyTypes.Listener, nack.ErrorDetail.Message);
        Assert.Equal("1", nack.VersionInfo);
    }

    [Fact]
    public async Task ResourceTheDaemonRefuses_IsNackedWithItsReason_AndALaterGoodResponseApplies()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        ads.Sink.Judge = u => u.Scrutinized?.Contains(ResourceRef.Cluster("bad")) == true
            ? ConfigVerdict.Reject([new ResourceRejection("cluster bad", "lb_policy", "not supported")])
            : ConfigVerdict.Accept;
        await AcceptStaticClusterAsync(ads);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "2", "n2", Static("a"), Static("bad")));
        Assert.Equal(["a", "bad"], (await ads.Sink.NextAsync()).Resources.Clusters.Select(c => c.Name).Order());
        var nack = await ads.Server.NextAsync();
        Assert.Contains("cluster bad: lb_policy: not supported", nack.ErrorDetail.Message);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "3", "n3", Static("a"), Static("c")));
        Assert.Equal(["a", "c"], (await ads.Sink.NextAsync()).Resources.Clusters.Select(c => c.Name).Order());
        var ack = await ads.Server.NextAsync();
        Assert.Equal(("3", "n3"), (ack.VersionInfo, ack.ResponseNonce));
    }

    [Fact]
    public async Task ClusterLeftOutOfACdsResponse_IsRemoved()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await ads.Server.NextAsync();
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "1", "n1", Static("a"), Static("b")));
        Assert.Equal(2, (await ads.Sink.NextAsync()).Resources.Clusters.Count);

        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "2", "n2", Static("a")));

        Assert.Equal("a", Assert.Single((await ads.Sink.NextAsync()).Resources.Clusters).Name);
    }

    [Fact]
    public async Task ListenerWaitsForItsRoutes_AndForItsWarmingCluster()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await ads.Server.NextAsync();
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "1", "n1", Eds("c")));
        await ads.Sink.NextAsync();

        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "1", "n2", Http("web", "web-routes"), Tcp("tcp", "c")));
        Assert.Empty((await ads.Sink.NextAsync()).Resources.Listeners);
        await ads.Server.SendAsync(Response(EnvoyTypes.RouteConfiguration, "1", "n3", Routes("web-routes", "c")));
        Assert.Empty((await ads.Sink.NextAsync()).Resources.Listeners); // both still wait for cluster c

        await ads.Server.SendAsync(Response(EnvoyTypes.ClusterLoadAssignment, "1", "n4", Cla("c")));
        var ready = await ads.Sink.NextAsync();

        Assert.Equal(["tcp", "web"], ready.Resources.Listeners.Select(l => l.Name).Order());
        Assert.True(ready.Warm);
    }

    [Fact]
    public async Task ClusterRemovedWhileAListenerStillNamesIt_KeepsServingUntilTheListenerMoves()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptStaticClusterAsync(ads, "old");
        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "1", "n2", Tcp("l", "old")));
        await ads.Sink.NextAsync();

        // SotW pushes CDS first: the new cluster arrives and the old one leaves before LDS moves.
        await ads.Server.SendAsync(Response(EnvoyTypes.Cluster, "2", "n3", Static("new")));
        Assert.Equal(["new", "old"], (await ads.Sink.NextAsync()).Resources.Clusters.Select(c => c.Name).Order());
        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "2", "n4", Tcp("l", "new")));

        Assert.Equal("new", Assert.Single((await ads.Sink.NextAsync()).Resources.Clusters).Name);
    }

    [Fact]
    public async Task RoutesThatNeverArrive_AreTreatedAsAbsentAfterTheTimeout()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw, resourceTimeout: TimeSpan.FromMilliseconds(300));
        await AcceptStaticClusterAsync(ads);
        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "1", "n2", Http("web", "missing")));
        var waiting = await ads.Sink.NextAsync();
        Assert.Empty(waiting.Resources.Listeners);
        Assert.False(waiting.Warm);

        var expired = await ads.Sink.NextAsync();

        Assert.Equal("web", Assert.Single(expired.Resources.Listeners).Name);
        Assert.True(expired.Warm);
        Assert.Null(expired.Scrutinized); // nothing to NACK: no response caused it
    }

    [Fact]
    public async Task BrokenStream_Reconnects_WithTheAcceptedVersions_AndKeepsTheState()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptStaticClusterAsync(ads);
        await ads.Server.SendAsync(Response(EnvoyTypes.Listener, "7", "n2", Tcp("l", "a")));
        await ads.Sink.NextAsync();
        await ads.Server.NextAsync(); // LDS ACK

        await ads.Server.KillStreamsAsync();
        var cds = await ads.Server.NextAsync();
        var lds = await ads.Server.NextAsync();

        Assert.Equal((EnvoyTypes.Cluster, "1", ""), (cds.TypeUrl, cds.VersionInfo, cds.ResponseNonce));
        Assert.NotNull(cds.Node); // a new stream presents the node again
        Assert.Equal((EnvoyTypes.Listener, "7"), (lds.TypeUrl, lds.VersionInfo));
        Assert.False(ads.Sink.TryNext(out _)); // nothing was withdrawn while disconnected
    }
}
