using System.Runtime.InteropServices;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// <c>struct cb_conns</c>: the node's connections to one cluster, as the kernel counts them in the
/// pinned map <see cref="CircuitBreakerMaps.Connections"/>. Never written from C#; mirrored for
/// whoever reads the pin (operators, tests).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConnectionCounts
{
    /// <summary>SYN sent, not established yet.</summary>
    public ulong Pending;

    /// <summary>Established, not closed yet.</summary>
    public ulong Active;

    /// <summary>Connects refused with EBUSY at one of the cluster's limits (Envoy's upstream_cx_overflow); since 1.4.0.</summary>
    public ulong Refused;
}
