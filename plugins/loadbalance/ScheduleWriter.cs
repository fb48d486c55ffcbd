using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Collects one cluster's tables: those that fit the cluster's own record (both families together
/// at most <see cref="LoadBalanceMaps.InlineSlots"/> columns, IPv4 first) as its inline columns,
/// the others as lb_schedule entries (key and value bytes); and the endpoint ids it asked for. In
/// a schedule or consistent-hash table an endpoint's value is made once and shared by all its
/// slots (a consistent-hash table gives one endpoint thousands); its id is asked for at its first
/// slot, as per slot. An alias table has one column per endpoint.
/// </summary>
internal sealed class ScheduleWriter(uint clusterId, IMeshIds ids)
{
    private readonly Dictionary<IPEndPoint, uint> _idOf = new();
    private LbInlineSlots _inline;
    private int _inlineUsed;
    private uint _inlineFamilies;
    private uint _inlineBaseV4;
    private uint _inlineBaseV6;

    public List<MapKey> Keys { get; } = new();
    public List<byte[]> Values { get; } = new();

    /// <summary>The endpoints (unmapped) in the order their ids were first asked for.</summary>
    public List<IPEndPoint> Endpoints { get; } = new();
    public List<uint> EndpointIds { get; } = new();

    /// <summary>Writes a table of indexes into <paramref name="endpoints"/>; returns its length.</summary>
    public uint Write(LbFamily family, List<WeightedEndpoint> endpoints, int[] slots)
    {
        if (TryInline(family, slots.Length, out var at))
        {
            for (var slot = 0; slot < slots.Length; slot++)
                _inline[at + slot] = Entry(endpoints[slots[slot]]);
            return (uint)slots.Length;
        }
        var values = new byte[endpoints.Count][];
        Reserve(endpoints.Count, slots.Length);
        for (var slot = 0; slot < slots.Length; slot++)
        {
            var i = slots[slot];
            values[i] ??= Bytes(Entry(endpoints[i]));
            Keys.Add(new MapKey(Bytes(new LbSlotKey(clusterId, family, (uint)slot))));
            Values.Add(values[i]);
        }
        return (uint)slots.Length;
    }

    /// <summary>Writes an alias table: column i starts with endpoint i; returns its length.</summary>
    public uint Write(LbFamily family, List<WeightedEndpoint> endpoints, AliasColumn[] columns)
    {
        var inline = TryInline(family, columns.Length, out var at);
        if (!inline)
            Reserve(endpoints.Count, columns.Length);
        for (var i = 0; i < columns.Length; i++)
        {
            var entry = Entry(endpoints[i]);
            entry.AliasCut = columns[i].Cut;
            entry.AliasSlot = (uint)columns[i].Alias;
            if (inline)
            {
                _inline[at + i] = entry;
                continue;
            }
            Keys.Add(new MapKey(Bytes(new LbSlotKey(clusterId, family, (uint)i))));
            Values.Add(Bytes(entry));
        }
        return (uint)columns.Length;
    }

    /// <summary>Puts the inline tables into the cluster's record (<see cref="LbClusterEntry.Slots"/>).</summary>
    public void FillInline(ref LbClusterEntry entry)
    {
        entry.InlineFamilies = _inlineFamilies;
        entry.InlineBaseV4 = _inlineBaseV4;
        entry.InlineBaseV6 = _inlineBaseV6;
        entry.Slots = _inline;
    }

    /// <summary>Whether a family's table of <paramref name="length"/> columns still fits the record; where it starts there.</summary>
    private bool TryInline(LbFamily family, int length, out int at)
    {
        at = _inlineUsed;
        if (length == 0 || _inlineUsed + length > LoadBalanceMaps.InlineSlots)
            return false;
        _inlineUsed += length;
        _inlineFamilies |= 1u << (int)family;
        if (family == LbFamily.V4)
            _inlineBaseV4 = (uint)at;
        else
            _inlineBaseV6 = (uint)at;
        return true;
    }

    // Sized once per table, not grown entry by entry: 10 000 clusters make 20 000 tables at start-up.
    private void Reserve(int endpoints, int slots)
    {
        _idOf.EnsureCapacity(endpoints);
        Keys.EnsureCapacity(Keys.Count + slots);
        Values.EnsureCapacity(Values.Count + slots);
    }

    public static byte[] Bytes<T>(in T value) where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    private LbEndpointEntry Entry(WeightedEndpoint endpoint)
    {
        var unmapped = endpoint.Own;
        if (!_idOf.TryGetValue(unmapped, out var id))
        {
            id = ids.EndpointId(unmapped);
            _idOf.Add(unmapped, id);
            Endpoints.Add(unmapped);
            EndpointIds.Add(id);
        }
        var address = endpoint.MappedToV6 ? MappedToV6(endpoint.Address) : KmAddr.From(endpoint.Address);
        return new LbEndpointEntry { Address = address, EndpointId = id };
    }

    /// <summary>The kernel form of ::ffff:a.b.c.d for an IPv4 endpoint, written in place (what <c>KmAddr.From</c> makes of the mapped address).</summary>
    private static unsafe KmAddr MappedToV6(IPEndPoint v4)
    {
        var result = default(KmAddr);
        var bytes = new Span<byte>(result.Address, 16);
        bytes[10] = 0xff;
        bytes[11] = 0xff;
        if (!v4.Address.TryWriteBytes(bytes[12..], out var written) || written != 4)
            throw new ArgumentException($"{v4} is not an IPv4 endpoint", nameof(v4));
        result.Family = KmAddr.AfInet6;
        result.PortNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)v4.Port);
        return result;
    }

    // An IPv4 backend reached by IPv6 connects (as ::ffff:a.b.c.d) is still the same endpoint: one id.
    public static IPEndPoint Unmapped(IPEndPoint endpoint) => endpoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port)
        : endpoint;
}
