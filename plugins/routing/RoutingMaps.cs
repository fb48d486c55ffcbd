using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.Plugins.Routing;

/// <summary>Names of the routing object's maps.</summary>
internal static class RoutingMaps
{
    public const string Routes = "rt_routes";

    /// <summary>Where steered connects go: index 0 for connect4 (IPv4), 1 for connect6 (IPv6 or IPv4-mapped).</summary>
    public const string Waypoint = "rt_waypoint";

    /// <summary><c>RT_F_WAYPOINT</c>: the route sends its connects to the waypoint, keeping the dialed port.</summary>
    public const uint WaypointFlag = 1;

    /// <summary><c>RT_MAX_CLUSTERS</c>: how many ways one route can split.</summary>
    public const int MaxClusters = 16;
}

/// <summary><c>struct rt_key</c> (routing.h): a service VIP:port.</summary>
[StructLayout(LayoutKind.Sequential, Size = 20)]
public unsafe struct RouteKey
{
    /// <summary>Address bytes in network order.</summary>
    public fixed byte Address[16];
    /// <summary>Port in network order.</summary>
    public ushort PortNetworkOrder;
    /// <summary>AF_INET or AF_INET6.</summary>
    public byte Family;
    /// <summary>IPPROTO_TCP or IPPROTO_UDP.</summary>
    public byte Protocol;

    /// <summary>The key of a VIP:port for a protocol.</summary>
    public static RouteKey From(KmAddr vip, byte protocol)
    {
        var key = default(RouteKey);
        new ReadOnlySpan<byte>(vip.Address, 16).CopyTo(new Span<byte>(key.Address, 16));
        key.PortNetworkOrder = vip.PortNetworkOrder;
        key.Family = (byte)vip.Family;
        key.Protocol = protocol;
        return key;
    }
}

/// <summary><c>struct rt_cluster</c>: one way of a split.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RouteCluster
{
    /// <summary>The cluster's id.</summary>
    public uint ClusterId;
    /// <summary>Cumulative weight bound: picked when the roll is below it.</summary>
    public uint Upper;
}

/// <summary><c>struct rt_route</c>: where connects to one VIP:port go.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RouteValue
{
    /// <summary>The listener's id.</summary>
    public uint ServiceId;
    /// <summary>Used entries of <see cref="Clusters"/>.</summary>
    public uint Count;
    /// <summary>Sum of the weights.</summary>
    public uint TotalWeight;
    /// <summary><see cref="RoutingMaps.WaypointFlag"/> or 0.</summary>
    public uint Flags;
    /// <summary>connect4's chain slots with nothing configured for the service (<c>skip_slots[0]</c>, chain ABI 1.4).</summary>
    public uint SkipSlots4;
    /// <summary>connect6's (<c>skip_slots[1]</c>).</summary>
    public uint SkipSlots6;
    /// <summary>The clusters with cumulative weights.</summary>
    public RouteClusters Clusters;
}

/// <summary>The fixed array of <see cref="RouteValue.Clusters"/>.</summary>
[System.Runtime.CompilerServices.InlineArray(RoutingMaps.MaxClusters)]
public struct RouteClusters
{
    private RouteCluster _first;
}
