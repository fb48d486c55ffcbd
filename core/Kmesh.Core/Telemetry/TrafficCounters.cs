using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// The traffic of one service (or of the overflow), summed over CPUs, since the daemon started.
/// Every number only grows between two reads of one <see cref="KernelTelemetry"/>.
/// </summary>
public sealed record TrafficCounters
{
    /// <summary>Connections established (the client's SYN-ACK arrived: BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB).</summary>
    public ulong Opened { get; init; }

    /// <summary>Of the established connections, those that reached TCP_CLOSE (FIN handshake done, reset, timed out).</summary>
    public ulong Closed { get; init; }

    /// <summary>Opened minus closed: connections open now.</summary>
    public ulong Active => Opened >= Closed ? Opened - Closed : 0;

    /// <summary>
    /// TCP payload from client to server (the application's writes on the connecting socket), as
    /// acknowledged by the server: closed connections exactly, plus open ones so far when live
    /// bytes are read. No SYN, no FIN, no headers, no retransmitted copies.
    /// </summary>
    public ulong RequestBytes { get; init; }

    /// <summary>TCP payload from server to client, as received in order by the client; same rules as <see cref="RequestBytes"/>.</summary>
    public ulong ResponseBytes { get; init; }

    /// <summary>Connects refused by the chain, by reason (only reasons with a count are present).</summary>
    public IReadOnlyDictionary<KmReason, ulong> Denied { get; init; } = new Dictionary<KmReason, ulong>();

    /// <summary>All refusals.</summary>
    public ulong DeniedTotal => Denied.Values.Aggregate(0UL, (a, b) => a + b);

    /// <summary>Refusals of one reason; 0 when none.</summary>
    public ulong DeniedFor(KmReason reason) => Denied.GetValueOrDefault(reason);
}
