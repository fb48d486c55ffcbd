using Envoy.Config.Cluster.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Tests.Ads;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>
/// ADS responses over the limits, through the real client against a scripted server: a NACK
/// naming the limit and the version still served, the stream goes on, and the next good
/// response is ACKed and applied.
/// </summary>
public sealed class HostileAdsTests
{
    /// <summary>A cluster whose metadata nests Structs <paramref name="levels"/> deep (three protobuf messages a level).</summary>
    private static Cluster DeepCluster(string name, int levels)
    {
        var value = Value.ForNumber(1);
        for (var i = 0; i < levels; i++)
            value = Value.ForStruct(new Struct { Fields = { ["a"] = value } });
        var cluster = Static(name);
        cluster.Metadata = new() { FilterMetadata = { ["x"] = value.StructValue } };
        return cluster;
    }

    private static DiscoveryResponse Response(string version, string nonce, IEnumerable<Cluster> clusters)
    {
        var response = new DiscoveryResponse { TypeUrl = EnvoyTypes.Cluster, VersionInfo = version, Nonce = nonce };
        response.Resources.AddRange(clusters.Select(c => Pack(c)));
        return response;
    }

    private static async Task AcceptFirstAsync(AdsHarness ads)
    {
        await ads.Server.NextAsync(); // CDS subscription
        await ads.Server.SendAsync(Response("1", "n1", [Static("a")]));
        await ads.Sink.NextAsync();
        Assert.Null((await ads.Server.NextAsync()).ErrorDetail);
        await ads.Server.NextAsync(); // LDS subscription
    }

    [Fact]
    public async Task TooDeep_IsNackedNamingTheLimit_AndTheNextGoodResponseIsAcked()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptFirstAsync(ads);

        // 1 000 Struct levels: 3 000 protobuf messages deep; protobuf's parser recurses per message.
        await ads.Server.SendAsync(Response("2", "n2", [DeepCluster("deep", 1000)]));
        var nack = await ads.Server.NextAsync();

        Assert.Contains($"nested deeper than {ParseLimits.MaxMessageDepth} message levels, the limit for xDS resources", nack.ErrorDetail.Message);
        Assert.Equal("1", nack.VersionInfo);
        Assert.False(ads.Sink.TryNext(out _));

        // As deep as a config file may nest (100 levels of YAML) still decodes.
        await ads.Server.SendAsync(Response("3", "n3", [DeepCluster("b", ParseLimits.MaxDepth - 4), Static("c")]));
        Assert.Equal(["b", "c"], (await ads.Sink.NextAsync()).Resources.Clusters.Select(c => c.Name).Order());
        var ack = await ads.Server.NextAsync();
        Assert.Equal(("3", "n3"), (ack.VersionInfo, ack.ResponseNonce));
        Assert.Null(ack.ErrorDetail);
    }

    [Fact]
    public async Task ALargeResponse_IsCheckedOnEveryCpu_WithItsFindingsInTheResponsesOrder_AndDeepBodiesStillDecode()
    {
        // Over Concurrently.From resources: parsed and checked in parallel, reported as a sequential walk would.
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptFirstAsync(ads);
        const int count = 3000;
        var response = Response("2", "n2", Enumerable.Range(0, count).Select(i => i switch
        {
            1000 => DeepCluster("c-1000", ParseLimits.MaxDepth - 4), // deeper than protobuf's 100 levels: read again
            2000 => DeepCluster("c-2000", 1000), // too deep for Kmesh's limit too
            _ => Static($"c-{i}"),
        }));
        response.Resources[400] = new Any { TypeUrl = EnvoyTypes.Cluster, Value = Google.Protobuf.ByteString.CopyFrom(0xFF, 0xFF, 0xFF) };
        response.Resources[2500] = Pack(Static("c-7"));
        await ads.Server.SendAsync(response);

        // What does not decode (a response with such is refused before its resources are checked).
        var message = (await ads.Server.NextAsync()).ErrorDetail.Message;
        AssertInOrder(message, "resources[400]: does not parse", "resources[2000]: does not parse", "cluster c-7: name: named twice");
        Assert.DoesNotContain("c-1000", message);

        // What breaks Envoy's rules.
        response = Response("3", "n3", Enumerable.Range(0, count).Select(i => Static($"c-{i}")));
        foreach (var i in new[] { 2900, 600, 1700 })
        {
            var bad = Static($"c-{i}");
            bad.ConnectTimeout = new Duration { Seconds = -1 };
            response.Resources[i] = Pack(bad);
        }
        await ads.Server.SendAsync(response);
        AssertInOrder((await ads.Server.NextAsync()).ErrorDetail.Message, "cluster c-600: connect_timeout", "cluster c-1700: connect_timeout", "cluster c-2900: connect_timeout");
        Assert.False(ads.Sink.TryNext(out _));

        // The same response without its faults is accepted whole, the deep one included.
        response = Response("4", "n4", Enumerable.Range(0, count).Select(i => i == 1000 ? DeepCluster("c-1000", ParseLimits.MaxDepth - 4) : Static($"c-{i}")));
        await ads.Server.SendAsync(response);
        Assert.Equal(count, (await ads.Sink.NextAsync()).Resources.Clusters.Count);
        Assert.Null((await ads.Server.NextAsync()).ErrorDetail);
    }

    [Fact]
    public async Task TooDeep_OverDelta_IsNackedNamingTheLimit_AndTheNextGoodResponseIsAcked()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        await ads.Server.NextDeltaAsync(); // CDS subscription

        await ads.Server.SendAsync(Delta("1", DeepCluster("deep", 1000)));
        var nack = await NextDeltaAnswerAsync(ads, "1");
        Assert.Contains($"nested deeper than {ParseLimits.MaxMessageDepth} message levels", nack.ErrorDetail.Message);

        await ads.Server.SendAsync(Delta("2", Static("good")));
        Assert.Equal("good", Assert.Single((await ads.Sink.NextAsync()).Resources.Clusters).Name);
        Assert.Null((await NextDeltaAnswerAsync(ads, "2")).ErrorDetail);
    }

    private static void AssertInOrder(string message, params string[] parts)
    {
        var at = parts.Select(p => message.IndexOf(p, StringComparison.Ordinal)).ToList();
        Assert.True(!at.Contains(-1) && at.SequenceEqual(at.Order()), $"expected in this order: {string.Join(" | ", parts)}; got: {message}");
    }

    private static DeltaDiscoveryResponse Delta(string nonce, Cluster cluster) => new()
    {
        TypeUrl = EnvoyTypes.Cluster,
        Nonce = nonce,
        SystemVersionInfo = nonce,
        Resources = { new Resource { Name = cluster.Name, Version = nonce, Resource_ = Pack(cluster) } },
    };

    private static async Task<DeltaDiscoveryRequest> NextDeltaAnswerAsync(AdsHarness ads, string nonce)
    {
        while (true)
        {
            var request = await ads.Server.NextDeltaAsync();
            if (request.ResponseNonce == nonce)
                return request;
        }
    }

    [Fact]
    public async Task TooManyResources_IsNackedNamingTheLimit_AndTheNextGoodResponseIsAcked()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await AcceptFirstAsync(ads);

        var many = Enumerable.Range(0, ParseLimits.MaxResourcesPerResponse + 1).Select(i => Static($"c{i}"));
        await ads.Server.SendAsync(Response("2", "n2", many));
        var nack = await ads.Server.NextAsync();

        Assert.Contains("100,001 resources in one response, over the limit of 100,000", nack.ErrorDetail.Message);
        Assert.Contains("still serving version 1", nack.ErrorDetail.Message);
        Assert.Equal("1", nack.VersionInfo);

        await ads.Server.SendAsync(Response("3", "n3", [Static("a"), Static("b")]));
        Assert.Equal(2, (await ads.Sink.NextAsync()).Resources.Clusters.Count);
        Assert.Equal("3", (await ads.Server.NextAsync()).VersionInfo);
    }
}
