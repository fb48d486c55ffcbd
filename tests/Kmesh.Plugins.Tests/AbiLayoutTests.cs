using System.Runtime.InteropServices;
using Kmesh.Bpf;
using Kmesh.Plugins.CircuitBreaker;
using Kmesh.Plugins.FaultInject;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.RateLimit;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Testing;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// The C headers are the source of truth for every struct the kernel and C# share. These
/// tests read the layout the compiler actually produced (the objects' BTF) and hold the C#
/// mirrors to it, so a drift fails here, not as garbage in a map in production. The mirrors are
/// checked with the SDK's MapLayout (Kmesh.Sdk.Testing), exactly as a third-party plugin checks its own.
/// </summary>
public class AbiLayoutTests
{
    private static string ObjectPath(string name) => Path.Combine(AppContext.BaseDirectory, name);

    // C members not named in pairs are matched by name (cluster_id ↔ ClusterId); an array member
    // (lb_cluster.length[2]) is named once per consecutive C# field that mirrors it.

    [Fact]
    public void RouteKey_MirrorsRtKey() =>
        MapLayout.AssertMatches<RouteKey>("routing.bpf.o", "rt_key",
            ("addr", nameof(RouteKey.Address)), ("port", nameof(RouteKey.PortNetworkOrder)));

    [Fact]
    public void RouteCluster_MirrorsRtCluster() =>
        MapLayout.AssertMatches<RouteCluster>("routing.bpf.o", "rt_cluster");

    [Fact]
    public void RouteValue_MirrorsRtRoute() =>
        MapLayout.AssertMatches<RouteValue>("routing.bpf.o", "rt_route",
            ("skip_slots", nameof(RouteValue.SkipSlots4)), ("skip_slots", nameof(RouteValue.SkipSlots6)));

    [Fact]
    public void LbClusterEntry_MirrorsLbCluster() =>
        MapLayout.AssertMatches<LbClusterEntry>("loadbalance.bpf.o", "lb_cluster",
            ("length", nameof(LbClusterEntry.LengthV4)), ("length", nameof(LbClusterEntry.LengthV6)),
            ("inline_base", nameof(LbClusterEntry.InlineBaseV4)), ("inline_base", nameof(LbClusterEntry.InlineBaseV6)));

    [Fact]
    public void LbSlotKey_MirrorsLbSlotKey() =>
        MapLayout.AssertMatches<LbSlotKey>("loadbalance.bpf.o", "lb_slot_key");

    [Fact]
    public void LbEndpointEntry_MirrorsLbEndpoint() =>
        MapLayout.AssertMatches<LbEndpointEntry>("loadbalance.bpf.o", "lb_endpoint",
            ("addr", nameof(LbEndpointEntry.Address)));

    [Fact]
    public void KmAddr_MirrorsKmAddr() =>
        MapLayout.AssertMatches<KmAddr>("loadbalance.bpf.o", "km_addr",
            ("addr", nameof(KmAddr.Address)), ("port", nameof(KmAddr.PortNetworkOrder)));

    [Fact]
    public void FaultEntry_MirrorsFiFault() =>
        MapLayout.AssertMatches<FaultEntry>("faultinject.bpf.o", "fi_fault");

    [Fact]
    public void AccelerateSettings_MirrorsAccSettings() =>
        MapLayout.AssertMatches<Kmesh.Plugins.Accelerate.AccelerateSettings>("accelerate.bpf.o", "acc_settings",
            ("excluded_cgroups", nameof(Kmesh.Plugins.Accelerate.AccelerateSettings.ExcludedCgroups)));

    [Fact]
    public void RateLimitConfig_MirrorsRlConfig() =>
        MapLayout.AssertMatches<RateLimitConfig>("ratelimit.bpf.o", "rl_config");

    [Fact]
    public void ClusterLimits_MirrorsCbLimits() =>
        MapLayout.AssertMatches<ClusterLimits>("circuitbreaker.bpf.o", "cb_limits");

    [Fact]
    public void OutlierSettings_MirrorsCbOutlier() =>
        MapLayout.AssertMatches<OutlierSettings>("circuitbreaker.bpf.o", "cb_outlier");

    [Fact]
    public void ConnectionCounts_MirrorsCbConns() =>
        MapLayout.AssertMatches<ConnectionCounts>("circuitbreaker.bpf.o", "cb_conns");

    [Fact]
    public void CircuitBreakerConstants_MatchTheHeader()
    {
        var header = File.ReadAllText(Path.Combine(FindRepoRoot(), "plugins", "circuitbreaker", "circuitbreaker.h"));

        Assert.Contains($"#define CB_MAX_EJECTED {CircuitBreakerMaps.MaxEjected}\n", header);
        Assert.Contains($"#define CB_ALWAYS_EJECT_ONE {(uint)OutlierFlags.AlwaysEjectOne} ", header);
    }

    [Fact]
    public void LoadBalanceConstants_MatchTheHeader()
    {
        var header = File.ReadAllText(Path.Combine(FindRepoRoot(), "plugins", "loadbalance", "loadbalance.h"));

        Assert.Contains($"#define LB_INLINE_SLOTS {LoadBalanceMaps.InlineSlots}\n", header);
        Assert.Contains($"#define LB_MAX_SCHEDULE {LoadBalanceMaps.MaxSchedule}\n", header);
        Assert.Contains($"#define LB_MAX_ENDPOINTS {LoadBalanceMaps.MaxEndpoints}\n", header);
    }

    [Fact]
    public void LbClusterLengths_AreTheTwoFamiliesInOrder()
    {
        var layout = BtfLayout.GetStruct(ObjectPath("loadbalance.bpf.o"), "lb_cluster");

        Assert.Equal(8, layout.Member("length").Size);
        Assert.Equal((int)Marshal.OffsetOf<LbClusterEntry>(nameof(LbClusterEntry.LengthV6)), layout.Member("length").Offset + 4);
    }

    [Fact]
    public void ChainAbiConstants_MatchTheHeader()
    {
        var header = File.ReadAllText(Path.Combine(FindRepoRoot(), "sdk", "include", "kmesh", "chain.h"));

        Assert.Contains($"#define KMESH_ABI_MAJOR {ChainAbi.Major}", header);
        Assert.Contains($"#define KMESH_ABI_LATEST_MINOR {ChainAbi.Minor}", header);
        Assert.Contains($"#define KM_CHAIN_SIZE {ChainAbi.ChainSize}", header);
        foreach (var reason in Enum.GetValues<KmReason>())
            Assert.Matches($@"KM_REASON_\w+ = {(uint)reason},", header);
    }

    [Theory]
    [InlineData("NO_ENDPOINT", KmErrno.NoEndpoint)]
    [InlineData("FAIL_CLOSED", KmErrno.FailClosed)]
    [InlineData("FAULT", KmErrno.Fault)]
    [InlineData("RATE_LIMITED", KmErrno.RateLimited)]
    [InlineData("CIRCUIT_OPEN", KmErrno.CircuitOpen)]
    public void ErrnoConstants_MatchTheHeader(string name, int errno)
    {
        var header = File.ReadAllText(Path.Combine(FindRepoRoot(), "sdk", "include", "kmesh", "chain.h"));

        Assert.Matches($@"#define KM_ERRNO_{name} {errno}\b", header);
    }

    [Fact]
    public void DenyingReasons_HaveDistinctErrnos()
    {
        // An application must tell a fault from a rate limit from an open breaker by errno alone.
        int[] distinct = [KmErrno.NoEndpoint, KmErrno.Fault, KmErrno.RateLimited, KmErrno.CircuitOpen];

        Assert.Equal(distinct.Length, distinct.Distinct().Count());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("no Kmesh.sln above the test assembly");
    }
}
