using System.Net;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>What applications in the governed cgroup see when they connect to services.</summary>
public sealed class RoutingAndBalancingTests(SharedMeshFixture mesh) : IClassFixture<SharedMeshFixture>
{
    private MeshRun Run => mesh.Run;

    [KernelFact]
    public async Task RoundRobin_ThreeEndpoints_IsExactlyEven()
    {
        var result = await Run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 300);

        Assert.Equal(0, result.Failed);
        Assert.Equal(100, result.Count("reviews-a"));
        Assert.Equal(100, result.Count("reviews-b"));
        Assert.Equal(100, result.Count("reviews-c"));
    }

    [KernelFact]
    public async Task Random_ReachesEveryEndpoint()
    {
        var result = await Run.Client.DialAsync(TestMesh.RandomVip, TestMesh.Port, 300);

        Assert.Equal(300, result.Succeeded);
        // Each of three endpoints misses 300 random picks with probability (2/3)^300: never.
        Assert.All(["random-a", "random-b", "random-c"], name => Assert.InRange(result.Count(name), 1, 299));
    }

    [KernelFact]
    public async Task WeightedClusters_90To10_SplitsWithinStatisticalTolerance()
    {
        const int dials = 2000;
        var result = await Run.Client.DialAsync(TestMesh.RatingsVip, TestMesh.Port, dials);

        Assert.Equal(dials, result.Succeeded);
        // Canary share: mean 200, standard deviation ~13.4; ±4.5 sigma.
        Assert.InRange(result.Count("ratings-v2"), 140, 260);
        Assert.Equal(dials, result.Count("ratings-v1") + result.Count("ratings-v2"));
    }

    [KernelFact]
    public async Task EndpointWeights_3To1_AreHonouredByRoundRobin()
    {
        var result = await Run.Client.DialAsync(TestMesh.ProductVip, TestMesh.Port, 400);

        Assert.Equal(300, result.Count("product-big"));
        Assert.Equal(100, result.Count("product-small"));
    }

    [KernelFact]
    public async Task IPv6Vip_IsRoutedToIPv6Endpoints()
    {
        var result = await Run.Client.DialAsync(TestMesh.DetailsVip, TestMesh.Port, 100);

        Assert.Equal(100, result.Succeeded);
        Assert.True(result.Count("details-a") > 0 && result.Count("details-b") > 0, result.ToString());
    }

    [KernelFact]
    public async Task DualStackSocket_DialingAnIPv4VipAsMapped_IsRouted_AndSeesTheVipItDialed()
    {
        // .NET's and Java's default sockets are dual-stack IPv6: an IPv4 VIP reaches the kernel's
        // connect6 hook as ::ffff:a.b.c.d. It is still the IPv4 service.
        var mapped = IPAddress.Parse(TestMesh.ReviewsVip).MapToIPv6().ToString();

        var result = await Run.Client.DialAsync(mapped, TestMesh.Port, 30);
        var peer = await Run.Client.PeerAsync(mapped, TestMesh.Port);

        Assert.True(result.Count("reviews-a") == 10 && result.Count("reviews-b") == 10 && result.Count("reviews-c") == 10, result.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.Parse(mapped), TestMesh.Port), peer.RemoteEndPoint);
    }

    [KernelFact]
    public async Task GetPeerName_OnARoutedSocket_ShowsTheVipThatWasDialed()
    {
        var v4 = await Run.Client.PeerAsync(TestMesh.ReviewsVip, TestMesh.Port);
        var v6 = await Run.Client.PeerAsync(TestMesh.DetailsVip, TestMesh.Port);

        Assert.StartsWith("reviews-", v4.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(TestMesh.ReviewsVip), TestMesh.Port), v4.RemoteEndPoint);
        Assert.StartsWith("details-", v6.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(TestMesh.DetailsVip), TestMesh.Port), v6.RemoteEndPoint);
    }

    [KernelFact]
    public async Task ProcessOutsideTheCgroup_IsNotAffected()
    {
        await using var outsider = await Run.Sandbox.ClientAsync(insideCgroup: false);

        var result = await outsider.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 5);

        // Nothing listens on the VIP itself: an unrewritten connect is refused.
        Assert.Equal(5, result.ErrorCount("ECONNREFUSED"));
    }

    [KernelFact]
    public async Task DestinationThatIsNoService_PassesThroughUntouched()
    {
        var result = await Run.Client.DialAsync(TestMesh.Direct.Address, TestMesh.Direct.Port, 10);

        Assert.Equal(10, result.Count("direct"));
    }

    [KernelFact]
    public async Task ServiceWithoutEndpoints_FailsAtOnceWithEHOSTUNREACH()
    {
        var result = await Run.Client.DialAsync(TestMesh.EmptyVip, TestMesh.Port, 3);

        Assert.Equal(3, result.ErrorCount("EHOSTUNREACH"));
    }

    [KernelFact]
    public async Task ListenerThatNeedsL7_IsWarnedAboutAndLeftOut_TheRestApplies()
    {
        var warning = await Run.Daemon.WaitForLineAsync("listener l7-only.*L7", TimeSpan.FromSeconds(5));
        var result = await Run.Client.DialAsync(TestMesh.L7Vip, TestMesh.Port, 2);

        Assert.Contains("filter_chains[0].filters[0].typed_config", warning);
        Assert.Equal(2, result.ErrorCount("ECONNREFUSED"));
    }
}
