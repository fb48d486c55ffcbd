using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// outlier_detection on real connects: an endpoint whose port refuses is ejected after its
/// consecutive failures (published in km_ejected, which load balancing honours), comes back on
/// its own, and never more endpoints are ejected than max_ejection_percent allows.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class OutlierDetectionTests
{
    [KernelFact]
    public async Task RefusingEndpoint_IsEjectedAfterThreeFailures_TriedAgainAfterTheEjectionTime_ThenEjectedTwiceAsLong()
    {
        // flaky: split_external_local_origin_errors, consecutive_local_origin_failure 3, base_ejection_time 1s, 2 endpoints.
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config());

        // Round robin alternates: the refusing endpoint's third failure comes with the sixth connect.
        var first = await run.Client.DialAsync(CircuitBreakerMesh.FlakyVip, CircuitBreakerMesh.Port, 6);
        var clock = Stopwatch.StartNew();
        var ejected = await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath);
        var during = await run.Client.DialAsync(CircuitBreakerMesh.FlakyVip, CircuitBreakerMesh.Port, 10);
        var duringTook = clock.Elapsed;
        var back = await run.DialUntilAsync(CircuitBreakerMesh.FlakyVip, 2, r => r.ErrorCount("ECONNREFUSED") > 0, TimeSpan.FromSeconds(5));
        var backAfter = clock.Elapsed;
        // Two more failures (one came back above) eject it again, now for base × 2.
        var again = await run.Client.DialAsync(CircuitBreakerMesh.FlakyVip, CircuitBreakerMesh.Port, 4);
        var secondEjection = await PinnedMaps.EjectionsLeftAsync(run.Sandbox.PinPath);

        Assert.Equal(3, first.Count("flaky-good"));
        Assert.Equal(3, first.ErrorCount("ECONNREFUSED"));
        Assert.Equal(1, ejected);
        Assert.True(duringTook < TimeSpan.FromSeconds(0.8), $"10 connects took {duringTook}: too slow to test a 1 s ejection");
        Assert.Equal(10, during.Count("flaky-good"));
        Assert.Equal(1, back.ErrorCount("ECONNREFUSED"));
        Assert.InRange(backAfter, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(3));
        Assert.Equal(2, again.ErrorCount("ECONNREFUSED"));
        // More than one base_ejection_time left proves the doubling, however slow the read was.
        var left = Assert.Single(secondEjection);
        Assert.InRange(left, TimeSpan.FromSeconds(1.05), TimeSpan.FromSeconds(2));
    }

    [KernelFact]
    public async Task TwoOfThreeEndpointsRefuse_MaxEjectionPercent34_OnlyOneIsEjected_TheOtherKeepsFailing()
    {
        // spread: consecutive_5xx 2, base_ejection_time 30s, max_ejection_percent 34 of 3 endpoints = 1.
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config());

        var result = await run.Client.DialAsync(CircuitBreakerMesh.SpreadVip, CircuitBreakerMesh.Port, 30);
        var ejected = await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath);
        var later = await run.Client.DialAsync(CircuitBreakerMesh.SpreadVip, CircuitBreakerMesh.Port, 12);
        var stillEjected = await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath);

        Assert.Equal(1, ejected);
        Assert.Equal(1, stillEjected);
        Assert.Equal(30, result.Count("spread-good") + result.ErrorCount("ECONNREFUSED"));
        // The refusing endpoint that was not ejected still gets its share (and perhaps the ejected one's).
        Assert.Equal(12, later.Count("spread-good") + later.ErrorCount("ECONNREFUSED"));
        Assert.InRange(later.ErrorCount("ECONNREFUSED"), 4, 8);
    }

    [KernelFact]
    public async Task UnansweredSyn_IsAFailureAtItsRetransmissionTimeout_CountedOncePerConnect()
    {
        var config = CircuitBreakerMesh.Config(stalled: "outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s, max_ejection_percent: 100 }");
        await using var run = await CircuitBreakerMesh.StartAsync(config);
        // The first connect fills the stalled listener's accept queue: established, a success.
        await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromMilliseconds(300));

        // The SYN's first retransmission timeout (1 s) is the failure; giving up at 1.5 s adds none,
        // or this one connect would already be the two failures that eject.
        var firstTimeout = await run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromSeconds(1.5));
        var afterOne = await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath);
        // The second failure comes at its retransmission timeout, while the connect still waits.
        var second = run.Client.DialAsync(CircuitBreakerMesh.StalledVip, CircuitBreakerMesh.Port, 1, TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();
        var ejectedWhileWaiting = 0;
        while (!second.IsCompleted && ejectedWhileWaiting == 0)
        {
            await Task.Delay(50);
            ejectedWhileWaiting = await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath);
        }
        var ejectedAfter = clock.Elapsed;
        var secondResult = await second;

        Assert.Equal(1, firstTimeout.ErrorCount("ETIMEDOUT"));
        Assert.Equal(0, afterOne);
        Assert.Equal(1, ejectedWhileWaiting);
        Assert.InRange(ejectedAfter, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(3));
        Assert.Equal(1, secondResult.ErrorCount("ETIMEDOUT"));
    }

    [KernelFact]
    public async Task WithoutOutlierDetection_ARefusingEndpointIsNeverEjected()
    {
        await using var run = await CircuitBreakerMesh.StartAsync(CircuitBreakerMesh.Config(flaky: ""));

        var result = await run.Client.DialAsync(CircuitBreakerMesh.FlakyVip, CircuitBreakerMesh.Port, 20);

        Assert.Equal(10, result.Count("flaky-good"));
        Assert.Equal(10, result.ErrorCount("ECONNREFUSED"));
        Assert.Equal(0, await PinnedMaps.EjectedNowAsync(run.Sandbox.PinPath));
    }
}
