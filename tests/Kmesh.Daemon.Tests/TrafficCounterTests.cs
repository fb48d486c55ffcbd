using Kmesh.Bpf;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The kernel's per-service traffic counters (km_traffic and the tcp iterator) against real
/// connections whose every byte the test knows: the echo backends greet with their name and a
/// newline, then echo.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class TrafficCounterTests
{
    private const string PlainGreeting = "plain-a\n";

    [KernelFact]
    public async Task ConnectionsEachSendingAndReceivingKnownBytes_AreCountedExactly()
    {
        await using var run = await TelemetryRun.StartAsync();
        var key = run.Key("plain", "plain");
        const int streams = 6, dials = 4;
        long[] sizes = [1, 1000, 65536, 300_000, 7, 123_457];

        for (var i = 0; i < streams; i++)
        {
            var result = await run.Client.StreamAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, sizes[i], seed: i + 1);
            Assert.Equal(sizes[i], result.Received);
        }
        var dialed = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, dials);
        Assert.Equal(dials, dialed.Count("plain-a"));

        var sent = (ulong)sizes.Sum();
        var received = sent + (ulong)((streams + dials) * PlainGreeting.Length);
        var counters = await run.WaitTrafficAsync(key, c => c.Closed == streams + dials && c.ResponseBytes >= received);
        Assert.Equal((ulong)(streams + dials), counters.Opened);
        Assert.Equal((ulong)(streams + dials), counters.Closed);
        Assert.Equal(sent, counters.RequestBytes);
        Assert.Equal(received, counters.ResponseBytes);
        Assert.Equal(0UL, counters.DeniedTotal);
        var report = run.Telemetry.ReadTraffic();
        Assert.True(report.IncludesOpenConnections, run.Telemetry.LiveBytesUnavailableReason);
        Assert.Equal(0UL, report.Overflow.Opened);
    }

    [KernelFact]
    public async Task AnOpenConnectionsBytes_ShowWhileItIsOpen_AndStayExactWhenItCloses()
    {
        await using var run = await TelemetryRun.StartAsync();
        var key = run.Key("plain", "plain");

        Assert.Equal("plain-a", await run.Client.HoldAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, "long"));
        var open = await run.WaitTrafficAsync(key, c => c.ResponseBytes == (ulong)PlainGreeting.Length);
        await run.Client.ReleaseAsync("long");
        // release echoes "kmesh-probe-long\n" once, then closes.
        var probe = (ulong)"kmesh-probe-long\n".Length;
        var closed = await run.WaitTrafficAsync(key, c => c.Closed == 1 && c.ResponseBytes == (ulong)PlainGreeting.Length + probe);

        Assert.Equal((1UL, 0UL, 0UL, (ulong)PlainGreeting.Length), (open.Opened, open.Closed, open.RequestBytes, open.ResponseBytes));
        Assert.Equal((1UL, 1UL, probe, (ulong)PlainGreeting.Length + probe), (closed.Opened, closed.Closed, closed.RequestBytes, closed.ResponseBytes));
    }

    [KernelFact]
    public async Task RefusalsPerReason_EqualWhatTheClientsSawPerErrno()
    {
        await using var run = await TelemetryRun.StartAsync();

        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 5);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 7);
        Assert.Equal("capped-a", await run.Client.HoldAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, "cap"));
        var capped = await run.Client.DialAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, 3);
        var dead = await run.Client.DialAsync(TelemetryMesh.DeadVip, GovernanceMesh.Port, 4);
        var services = run.Telemetry.ReadTraffic().Services;

        Assert.Equal(5, faulty.ErrorCount("ECONNREFUSED"));
        Assert.Equal(5, limited.ErrorCount("ENOBUFS"));
        Assert.Equal(3, capped.ErrorCount("EBUSY"));
        Assert.Equal(4, dead.ErrorCount("EHOSTUNREACH"));
        Assert.Equal(5UL, Denied(services, run.Key("faulty", "faulty"), KmReason.Fault));
        Assert.Equal(5UL, Denied(services, run.Key("limited", "limited"), KmReason.RateLimited));
        Assert.Equal(3UL, Denied(services, run.Key("capped", "capped"), KmReason.CircuitOpen));
        Assert.Equal(4UL, Denied(services, run.Key("dead", "dead"), KmReason.NoEndpoint));
        // Each refusal is counted once, under its own reason only; the limited service's two tokens opened connections.
        Assert.Equal(17UL, services.Values.Sum(c => (decimal)c.DeniedTotal) is var total ? (ulong)total : 0);
        Assert.Equal(2UL, services[run.Key("limited", "limited")].Opened);
        Assert.Equal(1UL, services[run.Key("capped", "capped")].Opened);
    }

    [KernelFact]
    public async Task TwoServicesThroughOneCluster_AreCountedApart_Exactly()
    {
        // A CPU's slot of a cluster in km_cluster_traffic counts for the first service that used it
        // there; the other service's connections on that CPU go to km_traffic. Either way each
        // (service, cluster) must come out exact.
        await using var run = await TelemetryRun.StartAsync(config: TelemetryMesh.ConfigWithPlainAlias());
        var plain = run.Key("plain", "plain");
        var alias = run.Key("plain-alias", "plain");

        var direct = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 5);
        var aliased = await run.Client.DialAsync(TelemetryMesh.PlainAliasVip, GovernanceMesh.Port, 3);
        var viaPlain = await run.WaitTrafficAsync(plain, c => c.Closed == 5);
        var viaAlias = await run.WaitTrafficAsync(alias, c => c.Closed == 3);

        Assert.Equal((5, 3), (direct.Count("plain-a"), aliased.Count("plain-a")));
        Assert.Equal((5UL, 5UL, (ulong)(5 * PlainGreeting.Length)), (viaPlain.Opened, viaPlain.Closed, viaPlain.ResponseBytes));
        Assert.Equal((3UL, 3UL, (ulong)(3 * PlainGreeting.Length)), (viaAlias.Opened, viaAlias.Closed, viaAlias.ResponseBytes));
    }

    [KernelFact]
    public async Task AClusterIdBeyondTheFormer4096Slots_IsCountedExactly_OnTheFastPath()
    {
        // Ids handed out before (a restored instance of a mesh with many clusters): "plain" gets one above 5000.
        var ids = StableMeshIds.Restore([], Enumerable.Range(1, 5000).Select(i => $"gone-{i}"), []);
        await using var run = await TelemetryRun.StartAsync(ids: ids);
        var key = run.Key("plain", "plain");
        Assert.True(key.ClusterId > 5000, $"cluster id {key.ClusterId}");
        Assert.True(run.Telemetry.ClusterTrafficSlots > key.ClusterId, $"{run.Telemetry.ClusterTrafficSlots} slots");

        var dialed = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 5);
        var counters = await run.WaitTrafficAsync(key, c => c.Closed == 5);

        Assert.Equal(5, dialed.Count("plain-a"));
        Assert.Equal((5UL, 5UL, (ulong)(5 * PlainGreeting.Length)), (counters.Opened, counters.Closed, counters.ResponseBytes));
        // Counted in the cluster's array slot: km_traffic (the hash a closed connection falls back to) has no entry for it.
        using var traffic = BpfMap.OpenPinned(Path.Combine(run.Sandbox.PinPath, "km_traffic"));
        Assert.False(traffic.ContainsKey(new TrafficMapKey { ServiceId = key.ServiceId, ClusterId = key.ClusterId }));
    }

    private static ulong Denied(IReadOnlyDictionary<Kmesh.Core.Telemetry.TrafficKey, Kmesh.Core.Telemetry.TrafficCounters> services, Kmesh.Core.Telemetry.TrafficKey key, KmReason reason) =>
        services.TryGetValue(key, out var c) ? c.DeniedFor(reason) : 0;
}

/// <summary>A full km_traffic never loses a count: what has no room goes to the overflow entry.</summary>
[Collection(GovernanceCollection.Name)]
public sealed class TrafficOverflowTests
{
    [KernelFact]
    public async Task AMapWithRoomForOneService_CountsTheOthersInTheOverflow()
    {
        // Capacity 2: the overflow entry and the first service counted. One fast-path slot (cluster
        // id 0, which no cluster has): every connection is counted in km_traffic, as here it must be.
        await using var run = await TelemetryRun.StartAsync(trafficCapacity: 2, clusterTrafficSlots: 1);

        var plain = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 3);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 2);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 1);
        await run.WaitTrafficAsync(run.Key("plain", "plain"), c => c.Closed == 3);
        var report = run.Telemetry.ReadTraffic();

        Assert.Equal((3, 2, 1), (plain.Count("plain-a"), faulty.ErrorCount("ECONNREFUSED"), limited.Count("limited-a")));
        Assert.Equal([run.Key("plain", "plain")], report.Services.Keys);
        Assert.Equal(3UL, report.Services[run.Key("plain", "plain")].Opened);
        Assert.Equal(2UL, report.Overflow.DeniedFor(Kmesh.Sdk.Abi.KmReason.Fault));
        Assert.Equal(1UL, report.Overflow.Opened);
    }
}
