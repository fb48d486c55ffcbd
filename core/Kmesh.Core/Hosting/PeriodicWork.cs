using Microsoft.Extensions.Hosting;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Posts a work item to the update loop at an interval: DNS refreshes and counter reports are
/// decided on the loop like everything else, never beside it.
/// </summary>
public abstract class PeriodicWork(UpdateLoop loop, TimeProvider time) : BackgroundService
{
    /// <summary>The loop the items go to.</summary>
    protected UpdateLoop Loop => loop;

    /// <summary>The interval; zero or less: never.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>The item to post at a tick, or null to skip this tick.</summary>
    protected abstract WorkItem? ItemAtTick();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (ItemAtTick() is { } item)
                    loop.Post(item);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Resolves the config's DNS names (STRICT_DNS, LOGICAL_DNS clusters) again at the interval the config asks for.</summary>
public sealed class DnsRefreshService(UpdateLoop loop, TimeProvider time) : PeriodicWork(loop, time)
{
    /// <inheritdoc />
    protected override TimeSpan Interval => Loop.DnsRefreshInterval;

    /// <inheritdoc />
    protected override WorkItem? ItemAtTick() => Loop.UsesDns ? new WorkItem.RefreshDns() : null;
}

/// <summary>Logs the plugins' counters that moved, every <c>--counters-interval</c>.</summary>
public sealed class CountersReportService(UpdateLoop loop, DaemonOptions options, TimeProvider time) : PeriodicWork(loop, time)
{
    /// <inheritdoc />
    protected override TimeSpan Interval => options.CountersInterval;

    /// <inheritdoc />
    protected override WorkItem? ItemAtTick() => new WorkItem.ReportCounters();
}
