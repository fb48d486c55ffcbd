using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>An HTTPFault abort refuses its share of real connects, with ECONNREFUSED, counted as Fault.</summary>
[Collection(GovernanceCollection.Name)]
public sealed class FaultInjectionTests
{
    [KernelFact]
    public async Task Abort30Percent_RefusesAboutThirtyPercentOfAThousandConnects_AllWithECONNREFUSED()
    {
        await using var run = await GovernanceMesh.StartAsync();

        var result = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 1000);
        var plain = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 20);

        // Binomial(1000, 0.3): sd ≈ 14.5, so ±70 is nearly five sd: a false alarm about once in a million runs.
        Assert.Equal(1000, result.Total);
        Assert.InRange(result.Failed, 230, 370);
        Assert.True(result.Failed == result.ErrorCount("ECONNREFUSED"), $"every refusal must be ECONNREFUSED: {result}");
        Assert.Equal(result.Succeeded, result.Count("faulty-a"));
        Assert.Equal(20, plain.Count("plain-a"));
        var stop = await GovernanceMesh.StopAsync(run);
        Assert.Equal((ulong)result.Failed, GovernanceMesh.Count(stop, "Fault"));
    }

    [KernelFact]
    public async Task AbortRemovedLive_NoConnectIsRefusedAnyMore()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(abortPercent: 100));
        var before = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 10);

        await run.RewriteConfigAsync(GovernanceMesh.Config(abortPercent: 0));
        var after = await run.DialUntilAsync(GovernanceMesh.FaultyVip, 20, r => r.Succeeded == 20, TimeSpan.FromSeconds(10));

        Assert.Equal(10, before.ErrorCount("ECONNREFUSED"));
        Assert.Equal(20, after.Count("faulty-a"));
    }

    [KernelFact]
    public async Task FaultFilterWithDelay_IsReportedAsNeedingL7()
    {
        var config = GovernanceMesh.Config(abortPercent: 0).Replace(
            "abort: { http_status: 503, percentage: { numerator: 0, denominator: HUNDRED } }",
            "delay: { fixed_delay: 2s, percentage: { numerator: 100, denominator: HUNDRED } }");
        await using var run = await GovernanceMesh.StartAsync(config);

        var warning = await run.Daemon.WaitForLineAsync("delay.*needs L7", TimeSpan.FromSeconds(5));
        var result = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 10, TimeSpan.FromSeconds(1));

        Assert.Contains("listener faulty", warning);
        Assert.Equal(10, result.Count("faulty-a"));
    }

    [KernelFact]
    public async Task PercentageOverHundred_IsRejectedNamingTheField_AndTheOtherServicesKeepWorking()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(abortPercent: 150));

        var error = await run.Daemon.WaitForLineAsync("abort.percentage.numerator", TimeSpan.FromSeconds(5));
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 20);
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 15);

        Assert.Contains("listener faulty", error);
        Assert.Contains("100%", error);
        Assert.Equal(20, faulty.Count("faulty-a"));
        Assert.Equal(10, limited.Count("limited-a"));
        Assert.Equal(5, limited.ErrorCount("ENOBUFS"));
    }
}
