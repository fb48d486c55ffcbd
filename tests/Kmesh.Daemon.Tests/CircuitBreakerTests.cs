using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A cluster's circuit_breakers limit the node's connections to it: counted from sock_ops events
/// on real sockets, refused at connect time with EBUSY, released when connections close.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    [KernelFact]
    public async Task MaxConnectionsThree_FourthIsRefusedWithEBUSY_ClosingOneLetsTheNextIn()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(3)));

        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"held-{i}");
        var fourth = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 2);
        await run.Client.ReleaseAsync("held-1");
        // The count drops when the closed connection reaches CLOSE (the backend's FIN), a moment after release.
        var next = await run.DialUntilAsync(CircuitBreakerMesh.CappedVip, 1, r => r.Succeeded == 1, Settle);

        Assert.Equal(2, fourth.ErrorCount("EBUSY"));
        Assert.Equal(1, next.Succeeded);
        // Operators read the refusals per cluster from the pin: exactly the two EBUSY.
        Assert.Equal(2UL, await PinnedMaps.RefusedAsync(run.Sandbox.PinPath));
        var stop = await GovernanceMesh.StopAsync(run);
        Assert.True(GovernanceMesh.Count(stop, "CircuitOpen") >= 2, stop);
    }

    // Chain ABI 1.5: a connection's km_conn mark belongs to the first plugin that takes it. With the
    // marker fixture before the breaker taking every mark, the breaker must leave the mark alone and
    // count only what it could mark (nothing): no counter moves, none goes below zero, and the
    // limit cannot hold for those connections (docs/plugins.md says so).
    [KernelFact]
    public async Task MarkTakenByAnEarlierPlugin_IsLeftIntact_AndTheBreakerCountsNothingItCouldNotMark()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(3)),
            ["--plugin-dir", RepoPaths.TestPlugins, "--plugins", "routing,marker,circuitbreaker,loadbalance"]);

        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"held-{i}");
        var fourth = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 1);
        var whileHeld = await PinnedMaps.ConnectionsAsync(run.Sandbox.PinPath);
        for (var i = 0; i < 3; i++)
            await run.Client.ReleaseAsync($"held-{i}");
        var marker = await PinnedMaps.MarkerCountsAsync(run.Sandbox.PinPath);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the held connections' closes reach TCP_CLOSE
        var afterClose = await PinnedMaps.ConnectionsAsync(run.Sandbox.PinPath);
        var markerAfterClose = await PinnedMaps.MarkerCountsAsync(run.Sandbox.PinPath);

        Assert.Equal(1, fourth.Succeeded);
        Assert.Equal((0UL, 0UL), whileHeld);
        Assert.Equal((0UL, 0UL), afterClose);
        Assert.True(marker.Marked >= 4, $"marker marked {marker.Marked} connections");
        Assert.Equal(0UL, markerAfterClose.Changed);
    }

    // A cluster without limits has no connect work: the chain passes the circuit breaker over
    // for its service (chain ABI 1.4). Limits added live must make routing run it again at once.
    [KernelFact]
    public async Task MaxConnectionsAddedLive_IsEnforced_AndLiftedWhenRemovedLive()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config());
        await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, "held");
        var unlimited = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 3);

        await run.RewriteConfigAsync(CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(1)));
        var limited = await run.DialUntilAsync(CircuitBreakerMesh.CappedVip, 1, r => r.ErrorCount("EBUSY") == 1, TimeSpan.FromSeconds(10));
        await run.RewriteConfigAsync(CircuitBreakerMesh.Config());
        var lifted = await run.DialUntilAsync(CircuitBreakerMesh.CappedVip, 1, r => r.Succeeded == 1, TimeSpan.FromSeconds(10));

        Assert.Equal(3, unlimited.Succeeded);
        Assert.Equal(1, limited.ErrorCount("EBUSY"));
        Assert.Equal(1, lifted.Succeeded);
    }

    [KernelFact]
    public async Task MaxPendingTwo_ThirdConnectWhileTwoAreInHandshakeIsRefused_AndPendingReturnsToZero()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config(stalled: CircuitBreakerMesh.Breaker(100, maxPending: 2)));
        await using var second = await run.Sandbox.ClientAsync();
        await using var third = await run.Sandbox.ClientAsync();
        // The first connect fills the stalled listener's accept queue; every later SYN goes unanswered.
        var primer = await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromMilliseconds(300));
        await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c == (0, 0), Settle);

        var stuck = new[]
        {
            second.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromSeconds(3)),
            third.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromSeconds(3)),
        };
        var inHandshake = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c.Pending == 2, Settle);
        var refused = await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1);
        var gaveUp = await Task.WhenAll(stuck);
        var after = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c == (0, 0), Settle);

        Assert.Equal(1, primer.ErrorCount("ETIMEDOUT"));
        Assert.Equal((2UL, 0UL), inHandshake);
        Assert.Equal(1, refused.ErrorCount("EBUSY"));
        Assert.All(gaveUp, r => Assert.Equal(1, r.ErrorCount("ETIMEDOUT")));
        Assert.Equal((0UL, 0UL), after);
    }

    [KernelFact]
    public async Task CountersReturnToZero_WhenConnectionsCloseInAnyOrder_ClientOrServerSide()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(100)));
        var other = await run.Sandbox.ClientAsync();
        var byBackend = new Dictionary<string, List<(SandboxClient Client, string Id)>> { ["capped-a"] = [], ["capped-b"] = [] };
        for (var i = 0; i < 8; i++)
        {
            var client = i < 6 ? run.Client : other;
            var name = await client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"c{i}");
            byBackend[name].Add((client, $"c{i}"));
        }
        var open = await PinnedMaps.ConnectionsAsync(run.Sandbox.PinPath);
        var toA = byBackend["capped-a"].Where(h => h.Client == run.Client).ToList();
        var toB = byBackend["capped-b"].Where(h => h.Client == run.Client).ToList();

        // Interleaved: client closes to capped-a, a reset of every capped-b connection by the
        // backend's side (those client sockets close at once), the reset sockets' own close, and
        // last the other client's process exiting with whatever it still holds.
        await run.Client.ReleaseAsync(toA[0].Id);
        await run.Sandbox.RunInNetnsAsync("ss", "-K", "-t", "state", "established", "src", "127.0.6.2:9080");
        var resetErrnos = new List<string?>();
        foreach (var (_, id) in toB.AsEnumerable().Reverse())
            resetErrnos.Add((await Assert.ThrowsAsync<SandboxAgentException>(() => run.Client.ReleaseAsync(id))).Errno);
        foreach (var (_, id) in toA.Skip(1).Reverse())
            await run.Client.ReleaseAsync(id);
        await other.DisposeAsync();
        var closed = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c == (0, 0), Settle);

        Assert.Equal((0UL, 8UL), open);
        Assert.True(toA.Count > 0 && toB.Count > 0, "round robin should have used both backends");
        Assert.All(resetErrnos, errno => Assert.Contains(errno, new[] { "ECONNRESET", "EPIPE", "EOF" }));
        Assert.Equal((0UL, 0UL), closed);
    }

    [KernelFact]
    public async Task DaemonRestart_OldConnectionsAreNotCounted_AndClosingThemNeverMakesACounterNegative()
    {
        var config = CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(3));
        await using var run = await CircuitBreakerMesh.StartAsync(config);
        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"old-{i}");
        Assert.Equal(0, await run.Daemon.StopAsync());

        await using var restarted = DaemonProcess.Start(RepoPaths.DaemonDll,
            ["--config", run.ConfigPath, "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins]);
        await restarted.WaitReadyAsync();
        var fresh = await PinnedMaps.ConnectionsAsync(run.Sandbox.PinPath);
        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"new-{i}");
        var fourth = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 1);
        for (var i = 0; i < 3; i++)
            await run.Client.ReleaseAsync($"old-{i}");
        var oldClosed = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c != (0, 3), TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
            await run.Client.ReleaseAsync($"new-{i}");
        var allClosed = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c == (0, 0), Settle);

        Assert.Equal((0UL, 0UL), fresh);
        Assert.Equal(1, fourth.ErrorCount("EBUSY"));
        Assert.Equal((0UL, 3UL), oldClosed);
        Assert.Equal((0UL, 0UL), allClosed);
    }

    [KernelFact]
    public async Task ZeroMaxConnections_IsRejectedNamingTheField_AndTheOtherClustersKeepTheirLimits()
    {
        var config = CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(0), stalled: CircuitBreakerMesh.Breaker(100, maxPending: 1));
        await using var run = await CircuitBreakerMesh.StartAsync(config);

        var error = await run.Daemon.WaitForLineAsync("max_connections", TimeSpan.FromSeconds(5));
        for (var i = 0; i < 5; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"held-{i}");
        await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromMilliseconds(300));
        await using var second = await run.Sandbox.ClientAsync();
        var stuck = second.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromSeconds(2));
        await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c.Pending == 1, Settle);
        var refused = await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1);
        await stuck;

        Assert.Contains("cluster capped", error);
        Assert.Equal(1, refused.ErrorCount("EBUSY"));
    }
}
