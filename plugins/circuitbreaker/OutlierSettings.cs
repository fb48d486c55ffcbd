using System.Runtime.InteropServices;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary><c>struct cb_outlier</c>: how one cluster ejects endpoints whose connects keep failing.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct OutlierSettings
{
    /// <summary>Connect failures in a row that make an endpoint an outlier.</summary>
    public uint Consecutive;

    /// <summary>Percent of due ejections that happen.</summary>
    public uint Enforcing;

    /// <summary>Most endpoints of the cluster ejected at once, in percent of <see cref="Endpoints"/>.</summary>
    public uint MaxEjectionPercent;

    /// <summary>Endpoints of the cluster.</summary>
    public uint Endpoints;

    /// <summary>An ejection lasts this × the endpoint's ejection count ...</summary>
    public ulong BaseEjectionNs;

    /// <summary>... at most this (never below <see cref="BaseEjectionNs"/>).</summary>
    public ulong MaxEjectionNs;

    /// <summary>The ejection count decays by one per interval the endpoint stays in.</summary>
    public ulong IntervalNs;

    /// <summary>Up to this much is added to each ejection at random.</summary>
    public ulong JitterNs;

    /// <summary>Options.</summary>
    public OutlierFlags Flags;

    /// <summary>Reserved.</summary>
    public uint Reserved;
}
