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

    /// <summary>
    /// <c>LB_INLINE_SLOTS</c>: columns a cluster's lb_clusters record holds itself, both families
    /// together; a table that fits is written there instead of lb_schedule (one lookup per connect).
    /// </summary>
    public const int InlineSlots = 28;
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
    /// <summary>Bit <c>1 &lt;&lt; family</c>: that family's table is in <see cref="Slots"/>, not in lb_schedule.</summary>
    public uint InlineFamilies;
    /// <summary>Where the IPv4 table starts in <see cref="Slots"/>, when inline.</summary>
    public uint InlineBaseV4;
    /// <summary>Where the IPv6 table starts in <see cref="Slots"/>, when inline.</summary>
    public uint InlineBaseV6;
    /// <summary>The inline tables' columns (<c>slots</c>).</summary>
    public LbInlineSlots Slots;

    /// <summary>True when the family's table is in the record (<see cref="Slots"/>).</summary>
    public readonly bool IsInline(LbFamily family) => (InlineFamilies & (1u << (int)family)) != 0;

    /// <summary>Column <paramref name="column"/> of the family's inline table.</summary>
    public readonly LbEndpointEntry InlineColumn(LbFamily family, uint column) =>
        Slots[(int)((family == LbFamily.V4 ? InlineBaseV4 : InlineBaseV6) + column)];
}

/// <summary><c>struct lb_cluster</c>'s <c>slots</c>: <see cref="LoadBalanceMaps.InlineSlots"/> columns.</summary>
[System.Runtime.CompilerServices.InlineArray(LoadBalanceMaps.InlineSlots)]
public struct LbInlineSlots
{
    private LbEndpointEntry _first;
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
