using Kmesh.Core.Datapath;

namespace Kmesh.Core.Tests.Datapath;

/// <summary>
/// km_cluster_traffic's default size: every cluster id of a 10 000-service mesh on the fast path
/// (one array access at close), within a memory bound that per-CPU copies make grow with CPUs.
/// </summary>
public class ClusterTrafficSlotsTests
{
    [Theory]
    [InlineData(1, 16384u)]
    [InlineData(2, 16384u)]
    [InlineData(16, 16384u)]
    [InlineData(17, 8192u)]
    [InlineData(32, 8192u)]
    [InlineData(33, 4096u)]
    [InlineData(64, 4096u)]
    [InlineData(512, 4096u)]
    public void Default_CoversTenThousandClusters_UpTo16Cpus_AndStaysWithin8MiB_NeverBelowTheOld4096(int cpus, uint expected)
    {
        var slots = ChainDatapath.DefaultClusterTrafficSlots(cpus);

        Assert.Equal(expected, slots);
        // 32 bytes a slot and CPU: within the budget unless the floor of 4096 itself is more.
        Assert.True(slots == 4096 || slots * 32L * cpus <= 8L << 20, $"{slots} slots x {cpus} CPUs");
    }
}
