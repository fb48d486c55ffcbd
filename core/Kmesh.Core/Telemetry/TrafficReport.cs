namespace Kmesh.Core.Telemetry;

/// <summary>One read of the kernel's traffic counters.</summary>
public sealed record TrafficReport
{
    /// <summary>Per service and cluster; the overflow is not in here.</summary>
    public required IReadOnlyDictionary<TrafficKey, TrafficCounters> Services { get; init; }

    /// <summary>
    /// What was counted while the kernel map had no room for a new service: real traffic of
    /// services that are not listed. Non-zero means the capacity
    /// (<c>DatapathOptions.TrafficCapacity</c>) is too small.
    /// </summary>
    public required TrafficCounters Overflow { get; init; }

    /// <summary>Access-log records the kernel dropped because the ring buffer was full (the reader fell behind).</summary>
    public required ulong AccessLogDropped { get; init; }

    /// <summary>
    /// True when open connections' bytes are included (the km_conn iterator ran); false when only
    /// closed connections' bytes are (the iterator is unavailable on this kernel).
    /// </summary>
    public required bool IncludesOpenConnections { get; init; }
}
