using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Core.Telemetry;

// The C# mirrors of bpf/telemetry.h and bpf/telemetry.bpf.c, checked against the objects' BTF
// (TelemetryLayoutTests). Filled by the kernel, hence never assigned here.
#pragma warning disable CS0649

/// <summary><c>struct km_traffic_key</c>: a service as a connection reached it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TrafficMapKey
{
    /// <summary>The service (listener) id routing matched.</summary>
    public uint ServiceId;

    /// <summary>The cluster id routing chose.</summary>
    public uint ClusterId;
}

/// <summary><c>struct km_traffic</c>: one CPU's counters of one service.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TrafficMapValue
{
    /// <summary><c>KM_REASON__COUNT</c>.</summary>
    public const int Reasons = 16;

    /// <summary>Established connections that closed; also the opened ones among them (the kernel keeps no opened counter: opened = closed + open connections).</summary>
    public ulong Closed;

    /// <summary>Payload client to server, of closed connections.</summary>
    public ulong RequestBytes;

    /// <summary>Payload server to client, of closed connections.</summary>
    public ulong ResponseBytes;

    /// <summary>Refused connects by <see cref="KmReason"/>.</summary>
    public DeniedCounts Denied;
}

/// <summary><c>struct km_cluster_traffic</c>: one CPU's slot of one cluster in km_cluster_traffic (the fast path).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ClusterTrafficValue
{
    /// <summary>The service this CPU's slot counts for; 0 while unclaimed.</summary>
    public ulong ServiceId;

    /// <summary>Established connections that closed; also the opened ones among them (the kernel keeps no opened counter: opened = closed + open connections).</summary>
    public ulong Closed;

    /// <summary>Payload client to server, of closed connections.</summary>
    public ulong RequestBytes;

    /// <summary>Payload server to client, of closed connections.</summary>
    public ulong ResponseBytes;
}

/// <summary>The <c>denied[KM_REASON__COUNT]</c> array of <see cref="TrafficMapValue"/>.</summary>
[InlineArray(TrafficMapValue.Reasons)]
public struct DeniedCounts
{
    private ulong _first;
}

/// <summary><c>struct km_live</c>: what the km_conn iterator writes for one open connection.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LiveConnectionEntry
{
    /// <summary>The service id.</summary>
    public uint ServiceId;

    /// <summary>The cluster id.</summary>
    public uint ClusterId;

    /// <summary>Payload client to server so far (acknowledged).</summary>
    public ulong RequestBytes;

    /// <summary>Payload server to client so far (received in order).</summary>
    public ulong ResponseBytes;
}

/// <summary><c>struct km_log_entry</c>: one access-log record as the ring buffer holds it.</summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
public struct AccessLogEntry
{
    /// <summary>CLOCK_MONOTONIC ns: established, or the refused connect.</summary>
    public ulong StartNs;

    /// <summary>Established to TCP_CLOSE, ns.</summary>
    public ulong DurationNs;

    /// <summary>Payload the client sent.</summary>
    public ulong BytesSent;

    /// <summary>Payload the client received.</summary>
    public ulong BytesReceived;

    /// <summary>The client socket's own address.</summary>
    public KmAddr Source;

    /// <summary>What the application dialed.</summary>
    public KmAddr Dialed;

    /// <summary>The endpoint the connection went to.</summary>
    public KmAddr Upstream;

    /// <summary>The service id.</summary>
    public uint ServiceId;

    /// <summary>The cluster id.</summary>
    public uint ClusterId;

    /// <summary>The endpoint id.</summary>
    public uint EndpointId;

    /// <summary>Smoothed RTT, µs.</summary>
    public uint SrttUs;

    /// <summary>Retransmitted segments.</summary>
    public uint Retransmits;

    /// <summary>1 closed, 2 refused.</summary>
    public uint Kind;

    /// <summary>The <see cref="KmReason"/> of a refusal.</summary>
    public uint Reason;

    /// <summary>The errno of a refusal (positive).</summary>
    public int Error;

    /// <summary>Padding to 128 bytes.</summary>
    public uint Pad;
}
#pragma warning restore CS0649
