using System.Runtime.InteropServices;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary><c>struct cb_limits</c>: the connection limits of one cluster, over the whole node.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ClusterLimits
{
    /// <summary>Pending plus established connections; a connect at the limit fails with EBUSY.</summary>
    public uint MaxConnections;

    /// <summary>Connections still in handshake (Envoy's <c>max_pending_requests</c>).</summary>
    public uint MaxPending;
}
