using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// The first fetch held and offered once, whole (<see cref="AdsEngine"/>): its responses are
/// answered once it is complete; refused whole, each is judged again alone, so that the NACK lands
/// on the response that brought the fault and the others are ACKed.
/// </summary>
public sealed class FirstFetchTests
{
    private static DeltaDiscoveryResponse Delta(string type, string nonce, params IMessage[] resources)
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = type, Nonce = nonce, SystemVersionInfo = nonce };
        foreach (var message in resources)
            response.Resources.Add(new Resource { Name = ResourceRef.Of(message)!.Value.Name, Version = nonce, Resource_ = Pack(message) });
        return response;
    }

    private static DiscoveryResponse Sotw(string type, string nonce, params IMessage[] resources)
    {
        var response = new DiscoveryResponse { TypeUrl = type, VersionInfo = nonce, Nonce = nonce };
        response.Resources.AddRange(resources.Select(Pack));
        return response;
    }

    /// <summary>The next request that answers a response (an ACK or a NACK), skipping subscriptions.</summary>
    private static async Task<DeltaDiscoveryRequest> NextAnswerAsync(AdsHarness ads)
    {
        while (true)
        {
            var request = await ads.Server.NextDeltaAsync();
            if (request.ResponseNonce.Length > 0)
                return request;
        }
    }

    private static async Task<DiscoveryRequest> NextSotwAnswerAsync(AdsHarness ads)
    {
        while (true)
        {
            var request = await ads.Server.NextAsync();
            if (request.ResponseNonce.Length > 0)
                return request;
        }
    }

    [Fact]
    public async Task Delta_TheVersionsInForce_AreInTheStatusWhenTheDaemonHasThem_BeforeAnyAnswer()
    {
        // The daemon calls InForce once an update is in the kernel, before it says it is ready: a
        // reader who saw it ready must find every version it serves in /status, though the ACKs
        // (which also record them) are written only after the daemon answered.
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta, holdFirstFetch: true);
        var seen = new List<(IReadOnlyDictionary<string, string> Before, IReadOnlyDictionary<string, string> InForce)>();
        ads.Sink.Judge = update =>
        {
            var before = ads.Status.AcceptedVersions;
            update.InForce?.Invoke();
            seen.Add((before, ads.Status.AcceptedVersions));
            return ConfigVerdict.Accept;
        };
        await ads.Server.NextDeltaAsync(); // CDS
        await ads.Server.SendAsync(Delta(EnvoyTypes.Cluster, "d1", Eds("x")));
        await ads.Server.NextDeltaAsync(); // EDS
        await ads.Server.NextDeltaAsync(); // LDS
        await ads.Server.SendAsync(Delta(EnvoyTypes.ClusterLoadAssignment, "d2", Cla("x")));
        await ads.Server.SendAsync(Delta(EnvoyTypes.Listener, "d3", Tcp("l", "x")));
        await ads.Sink.NextAsync();
        for (var i = 0; i < 3; i++)
            await NextAnswerAsync(ads);
        // A later response on its own: its type's version moves when it is in force.
        await ads.Server.SendAsync(Delta(EnvoyTypes.ClusterLoadAssignment, "d4", Cla("x", "10.0.0.9")));
        await ads.Sink.NextAsync();
        await NextAnswerAsync(ads);

        Assert.Equal(2, seen.Count);
        Assert.Empty(seen[0].Before);
        Assert.Equal(new Dictionary<string, string> { ["clusters"] = "d1", ["endpoints"] = "d2", ["listeners"] = "d3" }, seen[0].InForce);
        Assert.Equal("d2", seen[1].Before["endpoints"]);
        Assert.Equal(new Dictionary<string, string> { ["clusters"] = "d1", ["endpoints"] = "d4", ["listeners"] = "d3" }, seen[1].InForce);
    }

    [Fact]
    public async Task Delta_FirstFetch_IsOfferedOnceWhenWarm_ThenEveryResponseIsAckedInOrder()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta, holdFirstFetch: true);
        await ads.Server.NextDeltaAsync(); // CDS
        await ads.Server.SendAsync(Delta(EnvoyTypes.Cluster, "d1", Eds("x")));
        // Held: no answer, but the clusters' assignments and the listeners are asked for at once.
        var eds = await ads.Server.NextDeltaAsync();
        Assert.Equal((EnvoyTypes.ClusterLoadAssignment, "x", ""), (eds.TypeUrl, Assert.Single(eds.ResourceNamesSubscribe), eds.ResponseNonce));
        Assert.Equal(EnvoyTypes.Listener, (await ads.Server.NextDeltaAsync()).TypeUrl);
        await ads.Server.SendAsync(Delta(EnvoyTypes.ClusterLoadAssignment, "d2", Cla("x")));
        Assert.True(await ads.Server.QuietAsync(TimeSpan.FromMilliseconds(300)));
        Assert.False(ads.Sink.TryNext(out _));

        await ads.Server.SendAsync(Delta(EnvoyTypes.Listener, "d3", Tcp("l", "x")));
        var update = await ads.Sink.NextAsync();

        Assert.True(update.Warm);
        Assert.Equal(("l", "x", "x"), (Assert.Single(update.Resources.Listeners).Name, Assert.Single(update.Resources.Clusters).Name,
            Assert.Single(update.Resources.Endpoints).ClusterName));
        // Judged for everything the held responses brought.
        Assert.Equal(new HashSet<ResourceRef> { new(ResourceKind.Cluster, "x"), new(ResourceKind.Listener, "l") }, update.Scrutinized);
        foreach (var nonce in new[] { "d1", "d2", "d3" })
        {
            var answer = await NextAnswerAsync(ads);
            Assert.Equal((nonce, null), (answer.ResponseNonce, answer.ErrorDetail));
        }
        Assert.False(ads.Sink.TryNext(out _));

        // After the first fetch, each response is offered and answered on its own again.
        await ads.Server.SendAsync(Delta(EnvoyTypes.ClusterLoadAssignment, "d4", Cla("x", "127.0.0.2")));
        Assert.Equal("127.0.0.2", Assert.Single((await ads.Sink.NextAsync()).Resources.Endpoints).Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address);
        Assert.Equal("d4", (await NextAnswerAsync(ads)).ResponseNonce);
    }

    [Fact]
    public async Task Delta_FirstFetchRefusedWhole_IsJudgedAgainPerResponse_AndTheNackLandsOnTheOneThatBroughtTheFault()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta, holdFirstFetch: true);
        // The daemon refuses cluster x once it has its endpoints (say, a translator finds them wrong).
        var x = new ResourceRef(ResourceKind.Cluster, "x");
        ads.Sink.Judge = u => u.Scrutinized is { } s && s.Contains(x) && u.Resources.Endpoints.Count > 0
            ? ConfigVerdict.Reject([new ResourceRejection(x, "endpoints", "not for this mesh")])
            : ConfigVerdict.Accept;
        await ads.Server.NextDeltaAsync();
        await ads.Server.SendAsync(Delta(EnvoyTypes.Cluster, "d1", Eds("x"), Static("s")));
        await ads.Server.NextDeltaAsync(); // EDS
        await ads.Server.NextDeltaAsync(); // LDS
        await ads.Server.SendAsync(Delta(EnvoyTypes.ClusterLoadAssignment, "d2", Cla("x")));
        await ads.Server.SendAsync(Delta(EnvoyTypes.Listener, "d3", Tcp("l", "s")));

        var whole = await ads.Sink.NextAsync();
        Assert.True(whole.Warm);
        // Replayed from nothing: CDS alone (accepted), CDS + EDS (refused), LDS on CDS alone (accepted).
        Assert.False((await ads.Sink.NextAsync()).Warm);
        var withEndpoints = await ads.Sink.NextAsync();
        Assert.Single(withEndpoints.Resources.Endpoints);
        var listeners = await ads.Sink.NextAsync();
        Assert.Equal("l", Assert.Single(listeners.Resources.Listeners).Name);
        Assert.Empty(listeners.Resources.Endpoints);

        var first = await NextAnswerAsync(ads);
        Assert.Equal(("d1", null), (first.ResponseNonce, first.ErrorDetail));
        var second = await NextAnswerAsync(ads);
        Assert.Equal("d2", second.ResponseNonce);
        Assert.Contains("cluster x: endpoints: not for this mesh", second.ErrorDetail.Message);
        var third = await NextAnswerAsync(ads);
        Assert.Equal(("d3", null), (third.ResponseNonce, third.ErrorDetail));
    }

    [Fact]
    public async Task Delta_AResponseThatDoesNotDecode_IsNackedAtOnce_WhileTheOthersWait()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta, holdFirstFetch: true);
        await ads.Server.NextDeltaAsync();
        await ads.Server.SendAsync(Delta(EnvoyTypes.Cluster, "d1", Static("s")));
        Assert.Equal(EnvoyTypes.Listener, (await ads.Server.NextDeltaAsync()).TypeUrl);
        var twice = Delta(EnvoyTypes.Listener, "d2", Tcp("l", "s"));
        twice.Resources.Add(twice.Resources[0]);
        await ads.Server.SendAsync(twice);

        var nack = await NextAnswerAsync(ads);
        Assert.Equal("d2", nack.ResponseNonce);
        Assert.Contains("named twice", nack.ErrorDetail.Message);
        Assert.False(ads.Sink.TryNext(out _));

        await ads.Server.SendAsync(Delta(EnvoyTypes.Listener, "d3", Tcp("l", "s")));
        Assert.True((await ads.Sink.NextAsync()).Warm);
        Assert.Equal(("d1", "d3"), ((await NextAnswerAsync(ads)).ResponseNonce, (await NextAnswerAsync(ads)).ResponseNonce));
    }

    [Fact]
    public async Task Delta_StreamBrokenWhileHolding_ForgetsTheHeldState_AndTheNextStreamFetchesItAgain()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta, holdFirstFetch: true);
        await ads.Server.NextDeltaAsync();
        await ads.Server.SendAsync(Delta(EnvoyTypes.Cluster, "d1", Static("s")));
        await ads.Server.NextDeltaAsync(); // LDS

        await ads.Server.KillStreamsAsync();
        var again = await ads.Server.NextDeltaAsync();
        // Never answered, never offered: nothing is claimed as held.
        Assert.Equal(EnvoyTypes.Cluster, again.TypeUrl);
        Assert.Empty(again.InitialResourceVersions);
        Assert.False(ads.Sink.TryNext(out _));
    }

    [Fact]
    public async Task Sotw_FirstFetch_IsOfferedOnceWhenWarm_ThenEveryResponseIsAckedWithItsVersion()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw, holdFirstFetch: true);
        await ads.Server.NextAsync(); // CDS
        await ads.Server.SendAsync(Sotw(EnvoyTypes.Cluster, "c1", Eds("x")));
        var eds = await ads.Server.NextAsync();
        Assert.Equal((EnvoyTypes.ClusterLoadAssignment, ""), (eds.TypeUrl, eds.ResponseNonce));
        await ads.Server.NextAsync(); // LDS
        await ads.Server.SendAsync(Sotw(EnvoyTypes.ClusterLoadAssignment, "e1", Cla("x")));
        await ads.Server.SendAsync(Sotw(EnvoyTypes.Listener, "l1", Tcp("l", "x")));

        var update = await ads.Sink.NextAsync();
        Assert.True(update.Warm);
        Assert.Single(update.Resources.Endpoints);
        foreach (var (type, version) in new[] { (EnvoyTypes.Cluster, "c1"), (EnvoyTypes.ClusterLoadAssignment, "e1"), (EnvoyTypes.Listener, "l1") })
        {
            var ack = await NextSotwAnswerAsync(ads);
            Assert.Equal((type, version, version, null), (ack.TypeUrl, ack.VersionInfo, ack.ResponseNonce, ack.ErrorDetail));
        }
        Assert.False(ads.Sink.TryNext(out _));
    }
}
