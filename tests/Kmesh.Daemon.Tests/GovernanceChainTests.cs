using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Every governance plugin can be left out of the chain; the rest keep working.</summary>
[Collection(GovernanceCollection.Name)]
public sealed class GovernanceChainTests
{
    [KernelFact]
    public async Task DefaultChain_OrdersRoutingRateLimitCircuitBreakerFaultInjectLoadBalance()
    {
        await using var run = await GovernanceMesh.StartAsync();

        var ready = await run.Daemon.WaitReadyAsync();

        var order = new[] { "routing", "ratelimit", "circuitbreaker", "faultinject", "loadbalance" }.Select(p => ready.IndexOf($" {p} ", StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
    }

    [KernelFact]
    public async Task WithoutFaultInject_NoConnectIsAborted_AndTheRateLimitStillHolds()
    {
        await using var run = await GovernanceMesh.StartAsync(extraArguments: ["--plugins", "routing,ratelimit,loadbalance"]);

        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 50);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);

        Assert.Equal(50, faulty.Count("faulty-a"));
        Assert.Equal(10, limited.Count("limited-a"));
        Assert.Equal(20, limited.ErrorCount("ENOBUFS"));
    }

    [KernelFact]
    public async Task WithoutRateLimit_NoConnectIsLimited_AndFaultsStillApply()
    {
        await using var run = await GovernanceMesh.StartAsync(extraArguments: ["--plugins", "routing,faultinject,loadbalance"]);

        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 200);

        Assert.Equal(30, limited.Count("limited-a"));
        Assert.InRange(faulty.ErrorCount("ECONNREFUSED"), 20, 100);
        Assert.Equal(200, faulty.Succeeded + faulty.ErrorCount("ECONNREFUSED"));
    }

    [KernelFact]
    public async Task WithoutCircuitBreaker_NothingIsRefusedForTheLimit_AndTheOtherGovernanceStillApplies()
    {
        await using var run = await GovernanceMesh.StartAsync(extraArguments: ["--plugins", "routing,ratelimit,faultinject,loadbalance"]);

        for (var i = 0; i < 5; i++)
            await run.Client.HoldAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, $"held-{i}");
        var capped = await run.Client.DialAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, 3);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 200);

        Assert.Equal(3, capped.Count("capped-a"));
        Assert.Equal(10, limited.Count("limited-a"));
        Assert.Equal(20, limited.ErrorCount("ENOBUFS"));
        Assert.InRange(faulty.ErrorCount("ECONNREFUSED"), 20, 100);
    }

    [KernelFact]
    public async Task WithoutRateLimitAndFaultInject_TheBreakerStillRefusesOverItsLimit()
    {
        await using var run = await GovernanceMesh.StartAsync(extraArguments: ["--plugins", "routing,circuitbreaker,loadbalance"]);

        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, $"held-{i}");
        var capped = await run.Client.DialAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, 2);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 50);

        Assert.Equal(2, capped.ErrorCount("EBUSY"));
        Assert.Equal(30, limited.Count("limited-a"));
        Assert.Equal(50, faulty.Count("faulty-a"));
    }

    [KernelFact]
    public async Task WithoutLoadBalance_DenialsStillDeny_AndTheStopLineCountsEachReason()
    {
        // Routing and the denying plugins alone: a connect nobody denies fails open to the VIP,
        // where nothing listens (ECONNREFUSED too), so the stop line tells faults apart. The
        // breaker counts only connections the chain routed to an endpoint: here none, so it
        // never refuses, and the capped service fails open like the others.
        await using var run = await GovernanceMesh.StartAsync(extraArguments: ["--plugins", "routing,ratelimit,circuitbreaker,faultinject"]);

        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 15);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 100);
        var capped = await run.Client.DialAsync(GovernanceMesh.CappedVip, GovernanceMesh.Port, 5);
        var stop = await GovernanceMesh.StopAsync(run);

        Assert.Equal(5, limited.ErrorCount("ENOBUFS"));
        Assert.Equal(10, limited.ErrorCount("ECONNREFUSED"));
        Assert.Equal(100, faulty.ErrorCount("ECONNREFUSED"));
        Assert.Equal(5, capped.ErrorCount("ECONNREFUSED"));
        Assert.Equal(5UL, GovernanceMesh.Count(stop, "RateLimited"));
        Assert.Equal(0UL, GovernanceMesh.Count(stop, "CircuitOpen"));
        var faults = GovernanceMesh.Count(stop, "Fault");
        Assert.InRange(faults, 10UL, 55UL);
        Assert.Equal(10 + 100 + 5 - faults, GovernanceMesh.Count(stop, "Unfinished"));
    }
}
