using System.Reflection;
using System.Runtime.InteropServices;
using Kmesh.Bpf;
using Kmesh.Plugins.FaultInject;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.RateLimit;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Abi;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// The C headers are the source of truth for every struct the kernel and C# share. These
/// tests read the layout the compiler actually produced (the objects' BTF) and hold the C#
/// mirrors to it, so a drift fails here, not as garbage in a map in production.
/// </summary>
public class AbiLayoutTests
{
    private static string ObjectPath(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static TheoryData<string, string, Type, string[]> Mirrors => new()
    {
        { "routing.bpf.o", "rt_key", typeof(RouteKey), ["addr=Address", "port=PortNetworkOrder", "family=Family", "protocol=Protocol"] },
        { "routing.bpf.o", "rt_cluster", typeof(RouteCluster), ["cluster_id=ClusterId", "upper=Upper"] },
        { "routing.bpf.o", "rt_route", typeof(RouteValue), ["service_id=ServiceId", "count=Count", "total_weight=TotalWeight", "flags=Flags", "clusters=Clusters"] },
        { "loadbalance.bpf.o", "lb_cluster", typeof(LbClusterEntry), ["policy=Policy", "length=LengthV4", "flags=Flags"] },
        { "loadbalance.bpf.o", "lb_slot_key", typeof(LbSlotKey), ["cluster_id=<ClusterId>k__BackingField", "family=<Family>k__BackingField", "slot=<Slot>k__BackingField"] },
        { "loadbalance.bpf.o", "lb_endpoint", typeof(LbEndpointEntry), ["addr=Address", "endpoint_id=EndpointId"] },
        { "loadbalance.bpf.o", "km_addr", typeof(KmAddr), ["addr=Address", "port=PortNetworkOrder", "family=Family"] },
        { "faultinject.bpf.o", "fi_fault", typeof(FaultEntry), ["abort_per_million=AbortPerMillion", "flags=Flags"] },
        { "ratelimit.bpf.o", "rl_config", typeof(RateLimitConfig), ["max_tokens=MaxTokens", "tokens_per_fill=TokensPerFill", "fill_interval_ns=FillIntervalNs"] },
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_MatchesTheCompiledLayout(string objectFile, string cStruct, Type mirror, string[] members)
    {
        var layout = BtfLayout.GetStruct(ObjectPath(objectFile), cStruct);

        Assert.Equal(layout.Size, Marshal.SizeOf(mirror));
        Assert.Equal(layout.Members.Count, members.Length);
        foreach (var pair in members)
        {
            var (cName, csName) = (pair.Split('=')[0], pair.Split('=')[1]);
            var member = layout.Member(cName);
            var field = mirror.GetField(csName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{mirror.Name} has no field {csName}");
            Assert.True(member.Offset == (int)Marshal.OffsetOf(mirror, csName),
                $"{cStruct}.{cName} is at {member.Offset}, {mirror.Name}.{csName} at {Marshal.OffsetOf(mirror, csName)}");
            // An array member (length[2]) is mirrored by its first element's field; scalars must match in size.
            if (member.Size <= Marshal.SizeOf(field.FieldType.IsEnum ? Enum.GetUnderlyingType(field.FieldType) : field.FieldType))
                Assert.Equal(member.Size, Marshal.SizeOf(field.FieldType.IsEnum ? Enum.GetUnderlyingType(field.FieldType) : field.FieldType));
        }
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
        Assert.Contains($"#define KMESH_ABI_MINOR {ChainAbi.Minor}", header);
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
