using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Tests.Ads;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Validation;

/// <summary>
/// The real ADS client over a real gRPC stream: a response carrying any malformed resource is
/// NACKed with the field named, nothing of it reaches the daemon, and the next good response applies.
/// </summary>
public sealed class ValidationNackTests
{
    [Theory]
    [MemberData(nameof(MalformedResources.Kinds), MemberType = typeof(MalformedResources))]
    public async Task Sotw_MalformedResource_IsNackedNamingTheField_AndNothingIsOffered(string kind)
    {
        var malformed = MalformedResources.Get(kind);
        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw);
        await ads.Server.NextAsync(); // CDS subscription
        await ads.Server.SendAsync(Sotw(EnvoyTypes.Cluster, "1", "n1", Static("a")));
        await ads.Sink.NextAsync();
        await ads.Server.NextAsync(); // ACK
        await ads.Server.NextAsync(); // LDS subscription

        await ads.Server.SendAsync(Sotw(malformed.TypeUrl, "2", "n2", malformed.Resource));
        var nack = await NextOfAsync(ads, malformed.TypeUrl);

        Assert.Equal("n2", nack.ResponseNonce);
        Assert.NotEqual("2", nack.VersionInfo);
        Assert.NotNull(nack.ErrorDetail);
        Assert.Contains(malformed.Expected, nack.ErrorDetail.Message);
        Assert.Equal(3, nack.ErrorDetail.Code);
        Assert.False(ads.Sink.TryNext(out _));

        // The same type, well-formed, is taken at once.
        await ads.Server.SendAsync(Sotw(EnvoyTypes.Cluster, "3", "n3", Static("a"), Static("b")));
        Assert.Equal(["a", "b"], (await ads.Sink.NextAsync()).Resources.Clusters.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task Delta_MalformedResource_IsNackedNamingTheField()
    {
        await using var ads = await AdsHarness.StartAsync(XdsMode.Delta);
        var malformed = MalformedResources.All().First(c => c.Kind.StartsWith("malformed endpoint IP", StringComparison.Ordinal));
        await ads.Server.NextDeltaAsync(); // CDS subscription
        var response = new DeltaDiscoveryResponse { TypeUrl = EnvoyTypes.Cluster, SystemVersionInfo = "1", Nonce = "n1" };
        response.Resources.Add(new Resource { Name = "a", Version = "1", Resource_ = Pack(Eds("a")) });
        await ads.Server.SendAsync(response);
        await ads.Sink.NextAsync();

        var eds = new DeltaDiscoveryResponse { TypeUrl = EnvoyTypes.ClusterLoadAssignment, SystemVersionInfo = "2", Nonce = "n2" };
        eds.Resources.Add(new Resource { Name = "a", Version = "2", Resource_ = Pack(malformed.Resource) });
        await ads.Server.SendAsync(eds);
        DeltaDiscoveryRequest nack;
        do
            nack = await ads.Server.NextDeltaAsync();
        while (nack.ResponseNonce != "n2");

        Assert.Contains(malformed.Expected, nack.ErrorDetail.Message);
    }

    private static async Task<DiscoveryRequest> NextOfAsync(AdsHarness ads, string typeUrl)
    {
        while (true)
        {
            var request = await ads.Server.NextAsync();
            if (request.TypeUrl == typeUrl && request.ResponseNonce.Length > 0)
                return request;
        }
    }

    private static DiscoveryResponse Sotw(string type, string version, string nonce, params IMessage[] resources)
    {
        var response = new DiscoveryResponse { TypeUrl = type, VersionInfo = version, Nonce = nonce };
        response.Resources.AddRange(resources.Select(Pack));
        return response;
    }
}
