namespace Kmesh.Core.Datapath;

/// <summary>Where and how the datapath goes into the kernel.</summary>
public sealed record DatapathOptions
{
    /// <summary>The cgroup v2 directory whose processes' connects are governed.</summary>
    public required string CgroupPath { get; init; }

    /// <summary>This instance's bpffs folder; shared maps, plugin maps and (with <see cref="KeepOnExit"/>) the cgroup links are pinned here; removed at stop unless kept.</summary>
    public required string PinFolder { get; init; }

    /// <summary>
    /// Leave the data path running when the datapath is disposed (<c>kmesh run --keep-on-exit</c>):
    /// the cgroup links are pinned under <c>links/</c> when made, so programs stay attached and
    /// maps keep the last applied config after a stop, a crash or SIGKILL, until a successor
    /// adopts the folder or <c>kmesh uninstall</c> removes it.
    /// </summary>
    public bool KeepOnExit { get; init; }

    /// <summary>Folder holding the core's own objects (connect.bpf.o, getpeername.bpf.o).</summary>
    public string CoreObjectFolder { get; init; } = AppContext.BaseDirectory;

    /// <summary>Refuse (instead of pass) a connect to a service for which the chain chose no endpoint.</summary>
    public bool FailClosed { get; init; }

    /// <summary>Map capacities by <c>plugin.map</c>, overriding what the objects declare.</summary>
    public IReadOnlyDictionary<string, uint> MapCapacities { get; init; } = new Dictionary<string, uint>();

    /// <summary>The operator's arguments by plugin name (<c>--plugin-arg</c>).</summary>
    public IReadOnlyDictionary<string, Kmesh.Sdk.Translation.PluginArguments> PluginArguments { get; init; } = new Dictionary<string, Kmesh.Sdk.Translation.PluginArguments>();

    /// <summary>
    /// Write the connection access log (one ring-buffer record per closed routed connection and
    /// per refused connect; read with <c>ChainDatapath.Telemetry.OpenAccessLog()</c>). Off: the
    /// kernel's access-log code is pruned at load and costs nothing.
    /// </summary>
    public bool AccessLog { get; init; }

    /// <summary>
    /// Count each service's connections, bytes and refusals in the kernel (km_traffic: Istio's
    /// TCP metrics, <c>kmesh_connections_denied_total</c>). Off: the kernel's counting code is
    /// pruned at load and those metrics stay at zero; it exists to measure what counting costs
    /// (<c>./kmesh bench</c>). The decision counters (km_stats) count either way.
    /// </summary>
    public bool TrafficCounters { get; init; } = true;

    /// <summary>
    /// How many {service, cluster} pairs the kernel's traffic counters (km_traffic) hold; null:
    /// the object's 16384. Beyond it, counts go to the overflow entry (TrafficReport.Overflow).
    /// </summary>
    public uint? TrafficCapacity { get; init; }

    /// <summary>
    /// How many cluster ids (0 to this minus one) have a per-CPU slot in km_cluster_traffic, the
    /// fast path that counts routed connections without a hash lookup; null: 16 384, fewer on
    /// machines of more than 16 CPUs so that the map stays within 8 MiB (never fewer than 4096;
    /// <c>ChainDatapath.DefaultClusterTrafficSlots</c>). Connections of higher cluster ids are
    /// counted in km_traffic, exactly but at a hash lookup's cost. 1 leaves every real cluster
    /// (ids start at 1) to km_traffic.
    /// </summary>
    public uint? ClusterTrafficSlots { get; init; }
}
