using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>RING_HASH and MAGLEV with more endpoints than their default table has entries (issue 17).</summary>
public class LoadBalanceLargeHashTableTests
{
    private static readonly string[] TenThousand = Enumerable.Range(0, 10_000).Select(i => $"10.1.{i / 256}.{i % 256}:80").ToArray();

    [Fact]
    public void RingHash_TenThousandEndpoints_TableGrowsToItsLimit()
    {
        // minimum_ring_size 1024 would leave nine endpoints in ten without an entry.
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("big", "RING_HASH", TenThousand)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var table = output.Slots(snapshot, "big", LbFamily.V4);
        Assert.Equal(65_536, table.Count);
        Assert.True(table.Select(s => s.EndpointId).Distinct().Count() > 9_900, "most endpoints hold entries");
        Assert.All(table, s => Assert.Equal(0u, s.AliasCut));
    }

    [Fact]
    public void RingHash_FewEndpoints_TableStaysAtMinimumRingSize()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("small", "RING_HASH", TenThousand.Take(128).ToArray())).Build();

        Assert.Equal(1024u, Translation.LoadBalance(snapshot).ClusterEntry(snapshot, "small").LengthV4);
    }

    [Fact]
    public void Maglev_DefaultTable_TenThousandEndpoints_EnvoysDefaultSizeAndEveryEndpointHasEntries()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("big", "MAGLEV", TenThousand)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var table = output.Slots(snapshot, "big", LbFamily.V4);
        Assert.Equal(65_537, table.Count);
        Assert.Equal(10_000, table.Select(s => s.EndpointId).Distinct().Count());
    }

    [Fact]
    public void Maglev_ExplicitTableSmallerThanTheEndpoints_KeptAndWarned()
    {
        var endpoints = string.Join(", ", TenThousand.Select(e => LbEndpoint(e)));
        var snapshot = new SnapshotBuilder().Cluster(Cluster($$"""
            { "name": "big", "type": "STATIC", "lb_policy": "MAGLEV", "maglev_lb_config": { "table_size": 4093 },
              "load_assignment": { "cluster_name": "big", "endpoints": [ { "lb_endpoints": [ {{endpoints}} ] } ] } }
            """)).Build();

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal("maglev_lb_config.table_size", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster big", "4093").Field);
        Assert.Equal(4093u, output.ClusterEntry(snapshot, "big").LengthV4);
    }
}
