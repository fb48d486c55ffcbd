using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>Names and limits of the load-balancing object's maps (loadbalance.h).</summary>
internal static class LoadBalanceMaps
{
    public const string Clusters = "lb_clusters";
    public const string Schedule = "lb_schedule";

    /// <summary>
    /// <c>LB_MAX_SCHEDULE</c>: the most columns of an exact schedule (weights reduced by their gcd
    /// summing to at most this); beyond it a cluster gets an alias table (<see cref="AliasTable"/>).
    /// </summary>
    public const int MaxSchedule = 1024;

    /// <summary><c>LB_MAX_ENDPOINTS</c>: endpoints of one address family a cluster balances over at most.</summary>
    public const int MaxEndpoints = 262144;

    /// <summary><c>LB_MAX_CHOICES</c>: LEAST_REQUEST samples per connect at most.</summary>
    public const uint MaxChoices = 16;
}

/// <summary><c>LB_FLAG_*</c>.</summary>
[Flags]
public enum LbFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>LB_FLAG_OUTLIER_DETECTION</c>: skip endpoints outlier detection ejected.</summary>
    OutlierDetection = 1,
}

/// <summary><c>enum lb_policy</c>.</summary>
public enum LbPolicy : uint
{
    /// <summary>Weighted round robin.</summary>
    RoundRobin = 0,
    /// <summary>Weighted random.</summary>
    Random = 1,
    /// <summary>Weighted samples, the one with the fewest open connections.</summary>
    LeastRequest = 2,
    /// <summary>RING_HASH and MAGLEV: a table indexed by the client's hash.</summary>
    ConsistentHash = 3,
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
    /// <summary>Table length for IPv4 connects.</summary>
    public uint LengthV4;
    /// <summary>Table length for IPv6 connects.</summary>
    public uint LengthV6;
    /// <summary>What else the kernel honours for the cluster.</summary>
    public LbFlags Flags;
    /// <summary>LEAST_REQUEST: samples per connect.</summary>
    public uint ChoiceCount;
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
    /// <summary>Alias tables: the column keeps its endpoint for draws below this (of 2^32); 0: always.</summary>
    public uint AliasCut;
    /// <summary>Alias tables: the column whose endpoint takes the draws from <see cref="AliasCut"/> on.</summary>
    public uint AliasSlot;
}
