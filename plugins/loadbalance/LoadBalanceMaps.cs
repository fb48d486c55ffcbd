using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>Names and limits of the load-balancing object's maps (loadbalance.h).</summary>
internal static class LoadBalanceMaps
{
    public const string Clusters = "lb_clusters";
    public const string Schedule = "lb_schedule";

    /// <summary><c>LB_MAX_SCHEDULE</c>: slots of one cluster's schedule per family.</summary>
    public const int MaxSchedule = 1024;
}

/// <summary><c>enum lb_policy</c>.</summary>
public enum LbPolicy : uint
{
    /// <summary>Weighted round robin.</summary>
    RoundRobin = 0,
    /// <summary>Weighted random.</summary>
    Random = 1,
}

/// <summary><c>enum lb_family</c>: which schedule of a cluster.</summary>
public enum LbFamily : uint
{
    /// <summary>For connect4.</summary>
    V4 = 0,
    /// <summary>For connect6.</summary>
    V6 = 1,
}

/// <summary><c>struct lb_cluster</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LbClusterEntry
{
    /// <summary>The policy.</summary>
    public LbPolicy Policy;
    /// <summary>Schedule length for IPv4 connects.</summary>
    public uint LengthV4;
    /// <summary>Schedule length for IPv6 connects.</summary>
    public uint LengthV6;
    /// <summary>Reserved.</summary>
    public uint Flags;
}

/// <summary><c>struct lb_slot_key</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public record struct LbSlotKey(uint ClusterId, LbFamily Family, uint Slot);

/// <summary><c>struct lb_endpoint</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LbEndpointEntry
{
    /// <summary>Where the connect goes.</summary>
    public KmAddr Address;
    /// <summary>The endpoint's id.</summary>
    public uint EndpointId;
}
