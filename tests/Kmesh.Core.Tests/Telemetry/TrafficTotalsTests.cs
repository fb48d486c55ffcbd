using System.Runtime.InteropServices;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Tests.Telemetry;

/// <summary>Summing CPUs and open connections, and keeping every number monotonic across reads.</summary>
public sealed class TrafficTotalsTests
{
    private static readonly TrafficKey A = new(1, 10), B = new(2, 20);

    private static TrafficMapValue Cpu(ulong closed, ulong request, ulong response, KmReason? denied = null, ulong deniedCount = 0)
    {
        var v = new TrafficMapValue { Closed = closed, RequestBytes = request, ResponseBytes = response };
        if (denied is { } reason)
            v.Denied[(int)reason] = deniedCount;
        return v;
    }

    private static byte[] Live(params LiveConnectionEntry[] entries) => MemoryMarshal.AsBytes(entries.AsSpan()).ToArray();

    [Fact]
    public void CpusAreSummed_AndOpenConnectionsAddTheirBytes()
    {
        var totals = new TrafficTotals();
        totals.Begin();
        totals.AddKernel(A, [Cpu(1, 100, 1000, KmReason.Fault, 3), Cpu(1, 5, 50, KmReason.Fault, 1)]);
        totals.AddLive(Live(new LiveConnectionEntry { ServiceId = 1, ClusterId = 10, RequestBytes = 7, ResponseBytes = 70 },
            new LiveConnectionEntry { ServiceId = 2, ClusterId = 20, RequestBytes = 1, ResponseBytes = 2 }));
        var (services, overflow) = totals.Finish();

        // Closed connections are opened ones (the kernel has one counter for both); an open one is opened, not closed.
        Assert.Equal((3UL, 2UL, 112UL, 1120UL, 4UL), (services[A].Opened, services[A].Closed, services[A].RequestBytes, services[A].ResponseBytes, services[A].DeniedFor(KmReason.Fault)));
        Assert.Equal([KmReason.Fault], services[A].Denied.Keys);
        Assert.Equal((1UL, 0UL, 1UL, 2UL), (services[B].Opened, services[B].Closed, services[B].RequestBytes, services[B].ResponseBytes));
        Assert.Equal(0UL, overflow.Opened);
    }

    [Fact]
    public void TheOverflowKey_IsReportedApart()
    {
        var totals = new TrafficTotals();
        totals.Begin();
        totals.AddKernel(TrafficKey.Overflow, [Cpu(4, 0, 0, KmReason.RateLimited, 2)]);
        var (services, overflow) = totals.Finish();

        Assert.Empty(services);
        Assert.Equal((4UL, 4UL, 2UL), (overflow.Opened, overflow.Closed, overflow.DeniedFor(KmReason.RateLimited)));
    }

    [Fact]
    public void AConnectionClosingBetweenMapAndIterator_NeverMakesANumberGoDown()
    {
        var totals = new TrafficTotals();
        totals.Begin();
        totals.AddKernel(A, [Cpu(0, 0, 0)]);
        totals.AddLive(Live(new LiveConnectionEntry { ServiceId = 1, ClusterId = 10, RequestBytes = 500, ResponseBytes = 900 }));
        var first = totals.Finish().Services[A];
        // Next read: the map was read before the close landed, the iterator after it: the connection is in neither.
        totals.Begin();
        totals.AddKernel(A, [Cpu(0, 0, 0)]);
        var second = totals.Finish().Services[A];
        totals.Begin();
        totals.AddKernel(A, [Cpu(1, 600, 1000)]);
        var third = totals.Finish().Services[A];

        Assert.Equal((500UL, 900UL), (first.RequestBytes, first.ResponseBytes));
        Assert.Equal((500UL, 900UL), (second.RequestBytes, second.ResponseBytes));
        Assert.Equal((1UL, 600UL, 1000UL), (third.Closed, third.RequestBytes, third.ResponseBytes));
    }

    [Fact]
    public void ATruncatedIteratorOutput_IgnoresTheIncompleteTail()
    {
        var totals = new TrafficTotals();
        totals.Begin();
        var bytes = Live(new LiveConnectionEntry { ServiceId = 1, ClusterId = 10, RequestBytes = 3, ResponseBytes = 4 });
        totals.AddLive([.. bytes, 1, 2, 3]);

        Assert.Equal(3UL, totals.Finish().Services[A].RequestBytes);
    }

    [Fact]
    public void AClusterSlot_CountsEachCpuForTheServiceThatClaimedIt_AndJoinsTheHashesCounts()
    {
        var totals = new TrafficTotals();
        totals.Begin();
        // Cluster 10 on three CPUs: CPU 0 claimed by service 1, CPU 1 by service 2, CPU 2 never used.
        totals.AddCluster(10, [
            new ClusterTrafficValue { ServiceId = 1, Closed = 1, RequestBytes = 100, ResponseBytes = 1000 },
            new ClusterTrafficValue { ServiceId = 2, Closed = 1, RequestBytes = 5, ResponseBytes = 50 },
            default]);
        // Service 1's connections that another CPU's slot was not for went to km_traffic.
        totals.AddKernel(A, [Cpu(1, 7, 70, KmReason.Fault, 3)]);
        var (services, _) = totals.Finish();

        Assert.Equal((2UL, 2UL, 107UL, 1070UL, 3UL), (services[A].Opened, services[A].Closed, services[A].RequestBytes, services[A].ResponseBytes, services[A].DeniedFor(KmReason.Fault)));
        Assert.Equal((1UL, 1UL, 5UL, 50UL), (services[new TrafficKey(2, 10)].Opened, services[new TrafficKey(2, 10)].Closed, services[new TrafficKey(2, 10)].RequestBytes, services[new TrafficKey(2, 10)].ResponseBytes));
        Assert.Equal(2, services.Count);
    }
}
