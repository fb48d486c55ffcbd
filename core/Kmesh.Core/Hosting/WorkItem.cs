using Kmesh.Xds.Sources;

namespace Kmesh.Core.Hosting;

/// <summary>
/// One item of the daemon's update queue. Everything that changes the kernel's state, or reads
/// state the loop owns, goes through the one queue, so updates never interleave. A closed set:
/// the loop handles each kind, and no other can exist.
/// </summary>
public abstract record WorkItem
{
    private WorkItem()
    {
    }

    /// <summary>A source's new configuration, awaiting its verdict (ACK or NACK).</summary>
    public sealed record Offer(ConfigUpdate Update, TaskCompletionSource<ConfigVerdict> Reply) : WorkItem;

    /// <summary>Resolve the DNS names the config uses again; re-apply if an address changed.</summary>
    public sealed record RefreshDns : WorkItem;

    /// <summary>Look at the plugin directories again and replace plugins whose files changed.</summary>
    public sealed record ReloadPlugins : WorkItem;

    /// <summary>Log the counters plugins declare, where they moved.</summary>
    public sealed record ReportCounters : WorkItem;

    /// <summary>Answer when reached: the liveness probe's proof that the loop turns.</summary>
    public sealed record Ping(TaskCompletionSource Reply) : WorkItem;
}
