using System.Runtime.InteropServices;
using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// MapLayout on purpose-made mirrors of structs in Kmesh's own objects: what passes, and that every
/// kind of drift fails naming the struct, the member and both offsets and sizes.
/// </summary>
public sealed class MapLayoutTests
{
    private static readonly string Routing = Path.Combine(RepoPaths.Plugins, "routing", "routing.bpf.o");
    private static readonly string LoadBalance = Path.Combine(RepoPaths.Plugins, "loadbalance", "loadbalance.bpf.o");

    [StructLayout(LayoutKind.Sequential)]
    private struct Cluster { public uint ClusterId; public uint Upper; }

    [StructLayout(LayoutKind.Sequential)]
    private struct WideCluster { public ulong ClusterId; public uint Upper; }

    [StructLayout(LayoutKind.Sequential)]
    private struct SwappedCluster { public uint Upper; public uint ClusterId; }

    [StructLayout(LayoutKind.Sequential)]
    private struct RenamedCluster { public uint Id; public uint Bound; }

    [StructLayout(LayoutKind.Sequential)]
    private struct BoolCluster { public uint ClusterId; public bool Upper; }

    [StructLayout(LayoutKind.Sequential)]
    private record struct PropertyCluster(uint ClusterId, uint Upper);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct LbCluster
    {
        public uint Policy; public uint LengthV4; public uint LengthV6; public uint Flags; public uint ChoiceCount;
        public uint InlineFamilies; public uint InlineBaseV4; public uint InlineBaseV6; public fixed byte Slots[28 * 32];
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct LbClusterFixed
    {
        public uint Policy; public fixed uint Length[2]; public uint Flags; public uint ChoiceCount;
        public uint InlineFamilies; public fixed uint InlineBase[2]; public fixed byte Slots[28 * 32];
    }

    [Fact]
    public void AMatchingMirror_Passes_ByName_ByPairs_ThroughProperties_AndForArrays()
    {
        MapLayout.AssertMatches<Cluster>(Routing, "rt_cluster");
        MapLayout.AssertMatches<RenamedCluster>(Routing, "rt_cluster", ("cluster_id", "Id"), ("upper", "Bound"));
        MapLayout.AssertMatches<PropertyCluster>(Routing, "rt_cluster");
        MapLayout.AssertMatches<LbCluster>(LoadBalance, "lb_cluster", ("length", "LengthV4"), ("length", "LengthV6"),
            ("inline_base", "InlineBaseV4"), ("inline_base", "InlineBaseV6"));
        MapLayout.AssertMatches<LbClusterFixed>(LoadBalance, "lb_cluster");
    }

    [Fact]
    public void AWiderField_FailsNamingTheMember_AndBothOffsetsAndSizes()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<WideCluster>(Routing, "rt_cluster"));

        Assert.Equal("rt_cluster", e.CStruct);
        Assert.Equal(typeof(WideCluster), e.Mirror);
        Assert.Contains("struct rt_cluster", e.Message);
        Assert.Contains("size: struct rt_cluster is 8 bytes, WideCluster is 16 bytes", e.Mismatches);
        Assert.Contains("rt_cluster.cluster_id: C offset 0, size 4; WideCluster.ClusterId: C# offset 0, size 8", e.Mismatches);
        Assert.Contains("rt_cluster.upper: C offset 4, size 4; WideCluster.Upper: C# offset 8, size 4", e.Mismatches);
    }

    [Fact]
    public void SwappedFields_Fail()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<SwappedCluster>(Routing, "rt_cluster"));

        Assert.Equal(
            ["rt_cluster.cluster_id: C offset 0, size 4; SwappedCluster.ClusterId: C# offset 4, size 4",
             "rt_cluster.upper: C offset 4, size 4; SwappedCluster.Upper: C# offset 0, size 4"],
            e.Mismatches);
    }

    [Fact]
    public void AnUnmirroredMember_Fails_AndSoDoesAFieldOverlappingIt()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<RenamedCluster>(Routing, "rt_cluster", ("cluster_id", "Id")));

        Assert.Contains(e.Mismatches, m => m.StartsWith("rt_cluster.upper (C offset 4, size 4) is not mirrored", StringComparison.Ordinal));
        Assert.Contains(e.Mismatches, m => m.StartsWith("RenamedCluster.Bound (C# offset 4, size 4) mirrors no C member but overlaps rt_cluster.upper", StringComparison.Ordinal));
    }

    [Fact]
    public void AnArrayMirroredByItsFirstElementOnly_Fails()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<LbCluster>(LoadBalance, "lb_cluster", ("length", "LengthV4")));

        Assert.Contains("lb_cluster.length: C offset 4, size 8; LbCluster.LengthV4: C# offset 4, size 4", e.Mismatches);
        Assert.Contains(e.Mismatches, m => m.StartsWith("LbCluster.LengthV6 (C# offset 8, size 4) mirrors no C member but overlaps lb_cluster.length", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownNames_Fail_SayingWhatThereIs()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<Cluster>(Routing, "rt_cluster", ("weight", "Upper"), ("upper", "Bound")));

        Assert.Contains(e.Mismatches, m => m.StartsWith("struct rt_cluster has no member 'weight'", StringComparison.Ordinal) && m.EndsWith("it has: cluster_id, upper", StringComparison.Ordinal));
        Assert.Contains(e.Mismatches, m => m.StartsWith("Cluster has no field 'Bound'", StringComparison.Ordinal));
    }

    [Fact]
    public void ABoolField_Fails_SayingWhatToUse()
    {
        var e = Assert.Throws<MapLayoutMismatchException>(() => MapLayout.AssertMatches<BoolCluster>(Routing, "rt_cluster"));

        Assert.Contains(e.Mismatches, m => m.Contains("BoolCluster.Upper is Boolean", StringComparison.Ordinal) && m.Contains("use byte", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingStruct_OrObject_SaysSo()
    {
        Assert.Throws<KeyNotFoundException>(() => MapLayout.AssertMatches<Cluster>(Routing, "no_such_struct"));
        Assert.Throws<FileNotFoundException>(() => MapLayout.AssertMatches<Cluster>("no-such.bpf.o", "rt_cluster"));
    }
}
