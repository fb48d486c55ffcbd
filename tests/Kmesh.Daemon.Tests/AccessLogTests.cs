using System.Net;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The kernel's access log (DatapathOptions.AccessLog) against connections the test made, field by field.</summary>
[Collection(GovernanceCollection.Name)]
public sealed class AccessLogTests
{
    private const string PlainGreeting = "plain-a\n";

    [KernelFact]
    public async Task EveryClosedConnectionAndEveryRefusal_IsOneRecord_FieldByField()
    {
        await using var run = await TelemetryRun.StartAsync(accessLog: true);
        await using var log = run.Telemetry.OpenAccessLog();
        var plainVip = new IPEndPoint(IPAddress.Parse(GovernanceMesh.PlainVip), GovernanceMesh.Port);
        var plainEndpoint = new IPEndPoint(IPAddress.Parse("127.0.5.3"), GovernanceMesh.Port);
        var before = DateTimeOffset.UtcNow;

        var peer = await run.Client.PeerAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port);
        var stream = await run.Client.StreamAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 54321);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 2);
        var dead = await run.Client.DialAsync(TelemetryMesh.DeadVip, GovernanceMesh.Port, 1);
        var records = await TakeAsync(log, 5, TimeSpan.FromSeconds(5));
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(54321, stream.Received);
        Assert.Equal(2, faulty.ErrorCount("ECONNREFUSED"));
        Assert.Equal(1, dead.ErrorCount("EHOSTUNREACH"));
        var closed = records.Where(r => r.Kind == AccessLogKind.Closed).OrderBy(r => r.Start).ToList();
        var refused = records.Where(r => r.Kind == AccessLogKind.Refused).OrderBy(r => r.Start).ToList();
        Assert.Equal(2, closed.Count);
        Assert.Equal(3, refused.Count);
        foreach (var r in closed)
        {
            Assert.Equal(plainVip, r.Dialed);
            Assert.Equal(plainEndpoint, r.Upstream);
            Assert.Equal(run.Ids.ServiceId("plain"), r.ServiceId);
            Assert.Equal(run.Ids.ClusterId("plain"), r.ClusterId);
            Assert.Equal(run.Ids.EndpointId(plainEndpoint), r.EndpointId);
            Assert.InRange(r.Start, before - TimeSpan.FromMilliseconds(50), after);
            Assert.InRange(r.Duration, TimeSpan.FromTicks(1), after - before);
            Assert.True(r.SmoothedRtt > TimeSpan.Zero && r.SmoothedRtt < TimeSpan.FromSeconds(1), $"srtt {r.SmoothedRtt}");
            // Loopback does not lose segments, but a starved CPU can fire a retransmission timer: a few at most.
            Assert.InRange(r.Retransmits, 0u, 3u);
            Assert.Equal((KmReason.None, 0), (r.Reason, r.Errno));
        }
        // The peer connection: the client's own address as getsockname() gave it, nothing sent, the greeting received.
        Assert.Equal(peer.LocalEndPoint, closed[0].Source);
        Assert.Equal((0UL, (ulong)PlainGreeting.Length), (closed[0].BytesSent, closed[0].BytesReceived));
        Assert.Equal((54321UL, 54321UL + (ulong)PlainGreeting.Length), (closed[1].BytesSent, closed[1].BytesReceived));
        Assert.NotEqual(closed[0].Source, closed[1].Source);

        var faultVip = new IPEndPoint(IPAddress.Parse(GovernanceMesh.FaultyVip), GovernanceMesh.Port);
        Assert.All(refused.Take(2), r => Assert.Equal((faultVip, KmReason.Fault, KmErrno.Fault, run.Ids.ClusterId("faulty")), (r.Dialed, r.Reason, r.Errno, r.ClusterId)));
        var deadRecord = refused[2];
        Assert.Equal((new IPEndPoint(IPAddress.Parse(TelemetryMesh.DeadVip), GovernanceMesh.Port), KmReason.NoEndpoint, KmErrno.NoEndpoint),
            (deadRecord.Dialed, deadRecord.Reason, deadRecord.Errno));
        Assert.Equal((run.Ids.ServiceId("dead"), run.Ids.ClusterId("dead")), (deadRecord.ServiceId, deadRecord.ClusterId));
        Assert.All(refused, r => Assert.Equal((null, (IPEndPoint?)null, TimeSpan.Zero, 0UL, 0UL), (r.Upstream, r.Source, r.Duration, r.BytesSent, r.BytesReceived)));
        Assert.Equal(0UL, run.Telemetry.ReadTraffic().AccessLogDropped);
    }

    [KernelFact]
    public async Task WithTheAccessLogOff_NothingIsWritten()
    {
        await using var run = await TelemetryRun.StartAsync(accessLog: false);
        await using var log = run.Telemetry.OpenAccessLog();

        await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 3);
        await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 3);
        var records = await TakeAsync(log, 1, TimeSpan.FromMilliseconds(500));
        var counters = await run.WaitTrafficAsync(run.Key("plain", "plain"), c => c.Closed == 3);

        Assert.Empty(records);
        Assert.Equal(3UL, counters.Closed);
    }

    /// <summary>Up to <paramref name="count"/> records, or what came before the timeout.</summary>
    private static async Task<List<AccessLogRecord>> TakeAsync(AccessLogReader log, int count, TimeSpan timeout)
    {
        var records = new List<AccessLogRecord>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var record in log.ReadAllAsync(cts.Token))
            {
                records.Add(record);
                if (records.Count == count)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return records;
    }
}
